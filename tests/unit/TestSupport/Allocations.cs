namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>
/// Steady-state allocation measurement. The runtime may allocate once while it re-compiles a hot method at a higher tier
/// (tiered JIT, on-stack replacement) during a measured loop; that is start-up, not the hot path. So the loop is measured
/// up to a few times and the smallest count is what the hot path allocates.
/// </summary>
internal static class Allocations
{
    public static long SteadyState(Action loop, int attempts = 3)
    {
        var best = long.MaxValue;
        for (var i = 0; i < attempts && best != 0; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            loop();
            best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return best;
    }
}
