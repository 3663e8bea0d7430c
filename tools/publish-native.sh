#!/usr/bin/env bash
# Publish SharpSwitch the way an operator runs it: NativeAOT executables (no JIT, no IL on disk) with the
# workstation, non-concurrent collector and GC conserve-memory that src/daemon.props sets:
#   vsw               every command (vsctl, appctl, vswitchd, lab, start, ovsdb-server)
#   vsw-ovsdb-server  the OVSDB server alone; `vsw ovsdb-server` execs it when it is beside vsw, so the
#                     database daemon does not carry the rest of vsw's code in memory
#
#   tools/publish-native.sh                 # into artifacts/native/ of this checkout
#   OUT=/tmp/aot-vsw tools/publish-native.sh
#
# Environment:
#   OUT          output directory (default: artifacts/native under the repository); the executables are
#                $OUT/vsw and $OUT/vsw-ovsdb-server
#   INSTALL_DEPS=1  install the native toolchain with apt-get when it is missing (needs root)
#
# NativeAOT links with a C toolchain: clang (any clang-NN is accepted) or gcc, and zlib's development files. The
# ILCompiler package comes from the NuGet feed at restore time; the SDK chooses its version. Build and
# intermediate files go under $OUT/.build, never into the shared bin/ and obj/ folders of the source tree.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
OUT=${OUT:-$repo/artifacts/native}

find_cc() {
    local cc
    for cc in clang $(compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t- -k2 -n -r) gcc; do
        command -v "$cc" >/dev/null && { echo "$cc"; return 0; }
    done
    return 1
}

have_zlib() { [[ -f /usr/include/zlib.h ]] || compgen -G '/usr/lib/*/libz.a' >/dev/null || compgen -G '/usr/lib/*/libz.so' >/dev/null; }

if ! cc=$(find_cc) || ! have_zlib; then
    if [[ ${INSTALL_DEPS:-0} == 1 && $(id -u) == 0 ]]; then
        apt-get update -qq && apt-get install -y -qq clang zlib1g-dev >/dev/null
        cc=$(find_cc)
    else
        echo "publish-native: need clang (or gcc) and zlib1g-dev; run with INSTALL_DEPS=1 as root, or apt-get install clang zlib1g-dev" >&2
        exit 2
    fi
fi

mkdir -p "$OUT"
# TreatWarningsAsErrors is lifted for this publish only: the AOT and trim analyzers that PublishAot switches on
# report reflection-based JSON serialization in projects other than the CLI (their ordinary builds stay strict).
# vsw keeps reflection-based System.Text.Json, because its calls serialize only strings, string arrays, integers
# and JSON nodes, whose converters NativeAOT compiles ahead of time (checked: vsw vsctl, appctl, start, lab run);
# vsw-ovsdb-server leaves it out (its project file says so), which makes that executable much smaller.
publish() { # project [extra msbuild arguments...]
    local project=$1
    shift
    nice -n 10 dotnet publish "$repo/src/$project" -c Release -r linux-x64 \
        --artifacts-path "$OUT/.build" -o "$OUT" \
        -p:PublishAot=true -p:CppCompilerAndLinker="$cc" -p:TreatWarningsAsErrors=false \
        -nologo -clp:NoSummary -v:quiet "$@"
}
publish SharpSwitch.Cli -p:JsonSerializerIsReflectionEnabledByDefault=true
publish SharpSwitch.OvsdbDaemon
rm -f "$OUT"/*.pdb "$OUT"/*.xml "$OUT"/*.dbg "$OUT"/*.runtimeconfig.json
echo "published $OUT/vsw ($(du -k "$OUT/vsw" | cut -f1) kB) and $OUT/vsw-ovsdb-server ($(du -k "$OUT/vsw-ovsdb-server" | cut -f1) kB), linked with $cc"
