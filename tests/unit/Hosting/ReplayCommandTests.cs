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

    /// <summary>The Bybit v5 docs' publicTrade example, for BTCUSDT, then a second trade, as a v5 recording would hold them.</summary>
    private const string BybitV5Trades = """
        wss://stream.bybit.com/v5/public/{0} <-> 1700000000.0
        wss://stream.bybit.com/v5/public/{0} <- 1700000000.1: {{"op":"subscribe","args":["publicTrade.BTCUSDT"]}}
        1700000000.2: {{"success":true,"ret_msg":"subscribe","conn_id":"2324d924-aa4d-45b0-a858-7b8be29ab52b","op":"subscribe"}}
        1700000000.3: {{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}}]}}
        1700000000.4: {{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486900,"data":[{{"T":1672304486899,"s":"BTCUSDT","S":"Sell","v":"0.25","p":"16578.00","L":"MinusTick","i":"3e1a2c4f-0d6b-5a7e-8c9d-1f2e3a4b5c6d","BT":false}}]}}
        """;

    [Theory]
    [InlineData("spot", "BTC-USDT.SPOT")]
    [InlineData("linear", "BTC-USDT.PERP")]
    public async Task Replay_of_a_bybit_v5_recording_takes_the_category_from_the_endpoint(string category, string instrument)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, string.Format(System.Globalization.CultureInfo.InvariantCulture, BybitV5Trades, category).Replace("\r", "", StringComparison.Ordinal));
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            var exit = await CommandLine.RunAsync(["replay", "--venue", "bybit", path], stdout, stderr);

            Assert.Equal(0, exit);
            var trades = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, trades.Count);
            Assert.All(trades, t => Assert.Equal(instrument, t.GetProperty("instrument").GetString()));
            Assert.Equal("16578.50", trades[0].GetProperty("price").GetString());
            Assert.Equal("buy", trades[0].GetProperty("side").GetString());
            Assert.Contains("decoded=2 ignored=1 rejected=0 events=2", stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("wss://stream.binance.com:9443/stream?streams=btcusdt@aggTrade", "binance-usdm", "BTC-USDT.SPOT", "binance")]
    [InlineData("wss://fstream.binance.com/stream?streams=btcusdt@aggTrade", "binance", "BTC-USDT.PERP", "binance-usdm")]
    public async Task Replay_of_a_binance_recording_takes_the_market_from_the_host(string endpoint, string named, string instrument, string venue)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(path,
            [
                $"{endpoint} <-> 1700000000.0",
                """1700000000.1: {"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1699999999000,"s":"BTCUSDT","a":26129,"p":"35000.10","q":"0.5","f":100,"l":105,"T":1699999999000,"m":true}}""",
            ]);
            var stdout = new StringWriter();

            var exit = await CommandLine.RunAsync(["replay", "--venue", named, path], stdout, new StringWriter());

            Assert.Equal(0, exit);
            var trade = JsonDocument.Parse(stdout.ToString().Trim()).RootElement;
            Assert.Equal(instrument, trade.GetProperty("instrument").GetString());
            Assert.Equal(venue, trade.GetProperty("venue").GetString());
        }
        finally
        {
            File.Delete(path);
        }
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
