# Shared by the bench scripts that run SharpSwitch's daemons beside real OVS; sourced, not run.
# Needs $repo. Sets the array `vsw` (how to start ours) and `vsw_kind` (what was measured), and offers
# `require_tools TOOL...`, which stops the script with status 2 naming the first missing tool.

VSW_BIN=${VSW_BIN:-$repo/artifacts/native/vsw}
VSW_DLL=${VSW_DLL:-$repo/src/SharpSwitch.Cli/bin/Release/net10.0/vsw.dll}

# The native executable when there is one, else the IL build under `dotnet` with the same collector sizes.
if [[ -x $VSW_BIN ]]; then
    vsw=("$VSW_BIN")
    vsw_kind="native (NativeAOT) $VSW_BIN"
else
    [[ -f $VSW_DLL ]] || { echo "missing $VSW_BIN and $VSW_DLL: run tools/publish-native.sh (or dotnet build src/SharpSwitch.Cli -c Release)" >&2; exit 2; }
    command -v dotnet >/dev/null || { echo "missing dotnet" >&2; exit 2; }
    vsw=(env DOTNET_GCgen0size="${DOTNET_GCgen0size:-100000}" DOTNET_GCRegionSize="${DOTNET_GCRegionSize:-100000}" \
        DOTNET_GCLatencyLevel="${DOTNET_GCLatencyLevel:-0}" dotnet "$VSW_DLL")
    vsw_kind="JIT fallback: dotnet $VSW_DLL (no $VSW_BIN; tools/publish-native.sh makes it)"
fi
echo "measuring ours as: $vsw_kind" >&2

require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
    done
}
