// SharpSwitch: an Open vSwitch-compatible virtual switch.
using System.Runtime;
using System.Runtime.InteropServices;
using SharpSwitch.JsonRpc;

namespace SharpSwitch.Ovsdb.Server;

/// <summary>Gives the process's unused memory back to the system: the .NET counterpart of OVS's <c>malloc_trim</c>.</summary>
public static partial class ProcessMemory
{
    /// <summary>The managed heap before and after one trim, in bytes.</summary>
    public readonly record struct TrimResult(long HeapBytesBefore, long HeapBytesAfter, long CommittedBytesBefore, long CommittedBytesAfter);

    /// <summary>
    /// Drops the idle buffers of the JSON-RPC pool (<see cref="JsonRpcBuffers.Trim"/>), runs a blocking, compacting
    /// full collection that also compacts the large-object heap and decommits what the collector no longer needs
    /// (<see cref="GCCollectionMode.Aggressive"/>), then asks glibc to return its free heap pages
    /// (<c>malloc_trim(0)</c>, as OVS does) for the runtime's own native allocations.
    /// </summary>
    public static TrimResult Trim()
    {
        GCMemoryInfo before = GC.GetGCMemoryInfo(GCKind.Any);
        JsonRpcBuffers.Trim();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        GCMemoryInfo after = GC.GetGCMemoryInfo(GCKind.Any);
        return new TrimResult(before.HeapSizeBytes, after.HeapSizeBytes, before.TotalCommittedBytes, after.TotalCommittedBytes);
    }

    private static void TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): the managed heap was trimmed all the same.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
