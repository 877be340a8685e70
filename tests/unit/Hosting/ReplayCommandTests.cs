using System.Text.Json;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary><c>cloudwall-rx replay --venue coinbase FILE</c> through the executable's own entry point.</summary>
public sealed class ReplayCommandTests
{
    [RecordedFact(RecordedFiles.Coinbase)]
    public async Task Replay_of_the_coinbase_recording_prints_every_trade_with_exact_fields()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(["replay", "--venue", "coinbase", RecordedFiles.PathOf(RecordedFiles.Coinbase)], stdout, stderr);

        Assert.Equal(0, exit);
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var docs = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var trades = docs.Where(d => d.GetProperty("kind").GetString() == "trade").ToList();
        Assert.Equal(107, trades.Count);

        var first = trades.Single(t => t.GetProperty("trade_id").GetString() == "280232");
        Assert.Equal("coinbase", first.GetProperty("venue").GetString());
        Assert.Equal("SKL-BTC", first.GetProperty("symbol").GetString());
        Assert.Equal("SKL-BTC.SPOT", first.GetProperty("instrument").GetString());
        Assert.Equal("0.00001305", first.GetProperty("price").GetString());
        Assert.Equal("985", first.GetProperty("size").GetString());
        Assert.Equal("buy", first.GetProperty("side").GetString()); // maker sold: the taker bought
        Assert.Equal("2021-04-17T16:43:37.089723Z", first.GetProperty("exchange_ts").GetString());
        Assert.Equal("2021-04-17T16:43:37.1295161Z", first.GetProperty("receive_ts").GetString());
        Assert.Equal(177100030, first.GetProperty("sequence").GetInt64());

        var lastMatch = trades.Single(t => t.GetProperty("trade_id").GetString() == "82007");
        Assert.Equal("SKL-GBP.SPOT", lastMatch.GetProperty("instrument").GetString());
        Assert.Equal("0.5752", lastMatch.GetProperty("price").GetString());
        Assert.Equal("1008.2", lastMatch.GetProperty("size").GetString());
        Assert.Equal("sell", lastMatch.GetProperty("side").GetString()); // maker bought: the taker sold

        Assert.Contains("decoded=214 ignored=9732 rejected=0 events=214", stderr.ToString());
        Assert.Contains("threw=0", stderr.ToString());
    }

    [Fact]
    public async Task An_unknown_venue_is_refused_with_the_known_names()
    {
        var path = Path.GetTempFileName();
        var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(["replay", "--venue", "nasdaq", path], new StringWriter(), stderr);
        Assert.Equal(2, exit);
        Assert.Contains("coinbase", stderr.ToString());
        File.Delete(path);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("20s", 20_000)]
    [InlineData("5m", 300_000)]
    [InlineData("00:01:30", 90_000)]
    public void Durations_parse(string text, int millis) =>
        Assert.Equal(TimeSpan.FromMilliseconds(millis), CommandLine.ParseDuration(text, "--for"));

    [Fact]
    public void A_bad_duration_names_the_option() =>
        Assert.Contains("--for", Assert.Throws<UsageException>(() => CommandLine.ParseDuration("soon", "--for")).Message);
}
