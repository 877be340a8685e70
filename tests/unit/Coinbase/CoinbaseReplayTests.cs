using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

public sealed class CoinbaseReplayTests
{
    private static readonly Lazy<ReplayRun> Coinbase = new(() => ReplayRun.Of("coinbase", RecordedFiles.PathOf(RecordedFiles.Coinbase)));

    [RecordedFact(RecordedFiles.Coinbase)]
    public void ReplayPrintsOneJsonLinePerEventAndTheFrameSummary()
    {
        var run = Coinbase.Value;

        Assert.Equal(Replay.ExitOk, run.ExitCode);
        Assert.Equal(214, run.StdoutLines.Length);
        Assert.Equal(
            [
                "decoded=214 ignored=9732 rejected=0 events=214",
                "threw=0",
                "ignored.subscription_ack=3",
                "ignored.book_update=9729",
            ],
            run.StderrLines);
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void EveryReplayLineIsJsonWithTheEventFields()
    {
        string[] tradeFields = ["venue", "provider", "symbol", "instrument", "kind", "trade_id", "price", "size", "side", "exchange_ts", "receive_ts", "sequence"];
        string[] quoteFields = ["venue", "provider", "symbol", "instrument", "kind", "trade_id", "price", "size", "ask", "ask_size", "side", "exchange_ts", "receive_ts", "sequence"];
        var kinds = new Dictionary<string, int>();
        var snapshots = 0;
        foreach (var line in Coinbase.Value.StdoutLines)
        {
            using var doc = JsonDocument.Parse(line);
            var kind = doc.RootElement.GetProperty("kind").GetString()!;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            // last_match trades (history sent on subscribe) add "snapshot": true at the end.
            var snapshot = doc.RootElement.TryGetProperty("snapshot", out var flag) && flag.GetBoolean();
            var expected = kind == "trade" ? tradeFields : quoteFields;
            Assert.Equal(snapshot ? [.. expected, "snapshot"] : expected, doc.RootElement.EnumerateObject().Select(p => p.Name));
            snapshots += snapshot ? 1 : 0;
        }

        Assert.Equal(10, snapshots);

        Assert.Equal(107, kinds["trade"]);
        Assert.Equal(107, kinds["quote"]);
        Assert.Equal(2, kinds.Count);
    }

    [RecordedTheory(RecordedFiles.Coinbase)]
    [MemberData(nameof(CoinbaseRecordedFeedTests.HandCheckedTrades), MemberType = typeof(CoinbaseRecordedFeedTests))]
    public void HandCheckedTradesReplayExactly(int line, long tradeId, string product, string makerSide, Side taker, string price, string size,
        long sequence, string time, string receiveTime)
    {
        _ = line;
        _ = makerSide; // the decoder tests check the raw line; here the printed taker side is what matters
        var json = Assert.Single(Coinbase.Value.StdoutLines, l => l.Contains($"\"trade_id\":\"{tradeId}\"", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;

        Assert.Equal("coinbase", e.GetProperty("venue").GetString());
        Assert.Equal("coinbase", e.GetProperty("provider").GetString());
        Assert.Equal(product, e.GetProperty("symbol").GetString());
        Assert.Equal(product + ".SPOT", e.GetProperty("instrument").GetString());
        Assert.Equal("trade", e.GetProperty("kind").GetString());
        Assert.Equal(tradeId.ToString(System.Globalization.CultureInfo.InvariantCulture), e.GetProperty("trade_id").GetString());
        Assert.Equal(price, e.GetProperty("price").GetString());
        Assert.Equal(size, e.GetProperty("size").GetString());
        Assert.Equal(taker.ToText(), e.GetProperty("side").GetString());
        Assert.Equal(time, e.GetProperty("exchange_ts").GetString());
        Assert.Equal(receiveTime, e.GetProperty("receive_ts").GetString());
        Assert.Equal(sequence, e.GetProperty("sequence").GetInt64());
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void FirstMatchReplaysAsTheBriefStatesIt()
    {
        var json = Assert.Single(Coinbase.Value.StdoutLines, l => l.Contains("\"trade_id\":\"280232\"", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;

        Assert.Equal("SKL-BTC", e.GetProperty("symbol").GetString());
        Assert.Equal("buy", e.GetProperty("side").GetString());
        Assert.Equal("0.00001305", e.GetProperty("price").GetString());
        Assert.Equal("985", e.GetProperty("size").GetString());
        Assert.Equal(177100030, e.GetProperty("sequence").GetInt64());
        Assert.Equal("2021-04-17T16:43:37.089723Z", e.GetProperty("exchange_ts").GetString());
        Assert.Equal("2021-04-17T16:43:37.1295161Z", e.GetProperty("receive_ts").GetString());
    }

    [Fact]
    public void ADecoderThatThrowsIsCountedAndTheReplayCompletes()
    {
        var path = TempRecording(
            "wss://example.test <-> 1618677816.5",
            "1618677817.1: {\"n\":1}",
            "1618677817.2: {\"n\":2,\"boom\":true}",
            "1618677817.3: {\"n\":3}");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            var exit = Replay.Run(new ThrowingDecoder(), new ReferenceData(), path, stdout, stderr);

            Assert.Equal(Replay.ExitDecoderThrew, exit);
            var err = Lines(stderr);
            Assert.Equal("decoded=0 ignored=2 rejected=0 events=0", err[1]);
            Assert.Equal("threw=1", err[2]);
            Assert.Equal("ignored.heartbeat=2", err[3]);
            Assert.StartsWith("replay: decoder threw at ", err[0], StringComparison.Ordinal);
            Assert.EndsWith(":3: InvalidOperationException: boom", err[0], StringComparison.Ordinal);
            Assert.Empty(Lines(stdout));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnUnreadableRecordingExitsWithTwo()
    {
        var stderr = new StringWriter();
        var missing = Path.Combine(Path.GetTempPath(), $"cw-missing-{Guid.NewGuid():N}.ws.0.0");

        Assert.Equal(Replay.ExitUnreadable, Replay.Run(new ThrowingDecoder(), new ReferenceData(), missing, TextWriter.Null, stderr));
        Assert.StartsWith("replay: cannot read ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ALineInNoKnownFormExitsWithTwoAfterTheSummarySoFar()
    {
        var path = TempRecording("1618677817.1: {\"n\":1}", "garbage line", "1618677817.3: {\"n\":3}");
        try
        {
            var stderr = new StringWriter();

            Assert.Equal(Replay.ExitUnreadable, Replay.Run(new ThrowingDecoder(), new ReferenceData(), path, TextWriter.Null, stderr));
            var err = Lines(stderr);
            Assert.Equal($"replay: {path}:2: not a recorded-feed line: garbage line", err[0]);
            Assert.Equal("decoded=0 ignored=1 rejected=0 events=0", err[1]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReplayVenuesCreatesTheCoinbaseDecoderByName()
    {
        var refData = new ReferenceData();

        Assert.True(ReplayVenues.TryCreate("coinbase", refData, out var decoder));
        Assert.IsType<Cloudwall.Rx.Ingestion.Venues.Coinbase.CoinbaseExchangeDecoder>(decoder);
        Assert.Equal(VenueId.Coinbase, decoder.Venue);
        Assert.True(refData.TryResolve(VenueId.Coinbase, "BTC-USD"u8, out _)); // the factory installed the symbol rule
        Assert.True(ReplayVenues.TryCreate("Coinbase", new ReferenceData(), out _));
        Assert.False(ReplayVenues.TryCreate("nasdaq", refData, out var none));
        Assert.Null(none);
        Assert.Contains("coinbase", ReplayVenues.Names);
        // Every venue name the replay verb promises.
        Assert.Subset(ReplayVenues.Names.ToHashSet(), new HashSet<string>(["coinbase", "coinbase-advanced", "kraken", "kraken-v2", "binance",
            "binance-usdm", "binance-coinm", "bybit", "okx", "deribit"]));
        Assert.Equal(ReplayVenues.Names.Order(StringComparer.Ordinal), ReplayVenues.Names);
    }

    private static string TempRecording(params string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cw-replay-{Guid.NewGuid():N}.ws.0.0");
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string[] Lines(StringWriter w) => w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Ignores every frame as a heartbeat, except one holding <c>"boom"</c>, on which it throws.</summary>
    private sealed class ThrowingDecoder : IFrameDecoder
    {
        public VenueId Venue => VenueId.Coinbase;

        public FrameOutcome Decode(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output) =>
            frame.IndexOf("boom"u8) >= 0 ? throw new InvalidOperationException("boom") : FrameOutcome.Ignored(FrameReason.Heartbeat);
    }

    private sealed record ReplayRun(int ExitCode, string[] StdoutLines, string[] StderrLines)
    {
        public static ReplayRun Of(string venue, string path)
        {
            var refData = new ReferenceData();
            Assert.True(ReplayVenues.TryCreate(venue, refData, out var decoder));
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exit = Replay.Run(decoder, refData, path, stdout, stderr);
            return new ReplayRun(exit, Lines(stdout), Lines(stderr));
        }
    }
}
