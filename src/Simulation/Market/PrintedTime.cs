namespace Cloudwall.Rx.Simulation.Market;

/// <summary>Times as the feeds print them, for a REST trade history that must agree with what the stream showed.</summary>
internal static class PrintedTime
{
    /// <summary>A UTC time cut to the microsecond (the <c>ffffff</c> the Coinbase and Kraken feeds print), in Unix nanoseconds.</summary>
    public static long MicrosecondsNs(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10 * 1000;
}
