using System.Text.Json;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Tests.Unit.Kraken;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>
/// History sent on subscribe is flagged, on the real recordings, through <c>cloudwall-rx replay</c>: Kraken Futures
/// <c>trade_snapshot</c> and Coinbase Exchange <c>last_match</c> print <c>"snapshot": true</c>; live trades leave it off.
/// </summary>
public sealed class SnapshotReplayTests
{
    [RecordedFact(KrakenRecordings.Futures)]
    public async Task Kraken_futures_trade_snapshots_are_flagged_and_come_out_oldest_first()
    {
        var trades = await ReplayTrades("kraken-futures", KrakenRecordings.Futures);

        Assert.Equal(1003, trades.Count);
        var snapshot = trades.Where(IsSnapshot).ToList();
        Assert.Equal(1000, snapshot.Count);

        // Ten products, 100 trades each, each product's history oldest first.
        foreach (var product in snapshot.GroupBy(t => t.GetProperty("instrument").GetString()))
        {
            Assert.Equal(100, product.Count());
            var times = product.Select(t => t.GetProperty("exchange_ts").GetDateTime()).ToList();
            Assert.Equal(times.Order(), times);
        }

        // The three live trades carry no snapshot field at all.
        Assert.All(trades.Where(t => !IsSnapshot(t)), t => Assert.False(t.TryGetProperty("snapshot", out _)));
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public async Task Coinbase_last_match_trades_are_flagged()
    {
        var trades = await ReplayTrades("coinbase", RecordedFiles.Coinbase);

        Assert.Equal(107, trades.Count);
        var flagged = trades.Where(IsSnapshot).ToList();
        Assert.Equal(10, flagged.Count);
        // The recording's last_match for SKL-GBP (trade 82007) is among them; the live match 280232 is not.
        Assert.Contains(flagged, t => t.GetProperty("trade_id").GetString() == "82007");
        Assert.DoesNotContain(flagged, t => t.GetProperty("trade_id").GetString() == "280232");
        // One last_match per subscribed product.
        Assert.Equal(10, flagged.Select(t => t.GetProperty("instrument").GetString()).Distinct().Count());
    }

    private static bool IsSnapshot(JsonElement t) => t.TryGetProperty("snapshot", out var s) && s.GetBoolean();

    private static async Task<List<JsonElement>> ReplayTrades(string venue, string file)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(["replay", "--venue", venue, RecordedFiles.PathOf(file)], stdout, stderr);
        Assert.Equal(0, exit);
        return stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(d => d.GetProperty("kind").GetString() == "trade")
            .ToList();
    }
}
