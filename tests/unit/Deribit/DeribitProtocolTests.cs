using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using static Cloudwall.Rx.Tests.Unit.Deribit.DeribitFrames;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

public sealed class DeribitProtocolTests
{
    [Fact]
    public void ConnectFramesSetTheHeartbeat()
    {
        IVenueProtocol protocol = new DeribitProtocol();

        var frame = Assert.Single(protocol.ConnectFrames());

        using var doc = JsonDocument.Parse(frame);
        Assert.Equal("2.0", doc.RootElement.GetProperty("jsonrpc").GetString());
        Assert.Equal("public/set_heartbeat", doc.RootElement.GetProperty("method").GetString());
        Assert.Equal(30, doc.RootElement.GetProperty("params").GetProperty("interval").GetInt32());
        Assert.True(doc.RootElement.GetProperty("id").GetInt64() > 0);
        Assert.Equal(SequenceScope.PerInstrumentAndKind, protocol.SequenceScope);
        Assert.Equal(new Uri("wss://www.deribit.com/ws/api/v2"), protocol.DefaultEndpoint);
    }

    [Fact]
    public void SubscribeAndUnsubscribeNameTradesAndTickerChannelsWithIncreasingIds()
    {
        var protocol = new DeribitProtocol(tradesInterval: "100ms");

        var subscribe = JsonDocument.Parse(Assert.Single(protocol.SubscribeFrames(["BTC-PERPETUAL", "ETH-PERPETUAL"]))).RootElement;
        var unsubscribe = JsonDocument.Parse(Assert.Single(protocol.UnsubscribeFrames(["ETH-PERPETUAL"]))).RootElement;

        Assert.Equal("public/subscribe", subscribe.GetProperty("method").GetString());
        Assert.Equal(["trades.BTC-PERPETUAL.100ms", "ticker.BTC-PERPETUAL.100ms", "trades.ETH-PERPETUAL.100ms", "ticker.ETH-PERPETUAL.100ms"],
            subscribe.GetProperty("params").GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("public/unsubscribe", unsubscribe.GetProperty("method").GetString());
        Assert.Equal(["trades.ETH-PERPETUAL.100ms", "ticker.ETH-PERPETUAL.100ms"],
            unsubscribe.GetProperty("params").GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.True(unsubscribe.GetProperty("id").GetInt64() > subscribe.GetProperty("id").GetInt64());
    }

    [Fact]
    public void TheDefaultTradesIntervalNeedsNoAuthentication()
    {
        // raw is for authorized users only (docs/venues.md#deribit); the connector does not log in, so it defaults to 100ms.
        var subscribe = JsonDocument.Parse(Assert.Single(new DeribitProtocol().SubscribeFrames(["BTC-PERPETUAL"]))).RootElement;

        Assert.Equal(["trades.BTC-PERPETUAL.100ms", "ticker.BTC-PERPETUAL.100ms"],
            subscribe.GetProperty("params").GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void ManySymbolsAreSplitAcrossRequests()
    {
        var symbols = Enumerable.Range(1, 120).Select(i => $"BTC-24SEP21-{i}000-C").ToArray();

        var frames = new DeribitProtocol().SubscribeFrames(symbols);

        Assert.Equal(3, frames.Count); // 240 channels, 100 per request
        Assert.Equal(240, frames.Sum(f => JsonDocument.Parse(f).RootElement.GetProperty("params").GetProperty("channels").GetArrayLength()));
    }

    [Theory]
    [InlineData(9, "raw", "100ms")]
    [InlineData(30, "1s", "100ms")]
    [InlineData(30, "raw", "")]
    public void BadSettingsAreRefused(int heartbeat, string trades, string ticker)
    {
        Assert.ThrowsAny<ArgumentException>(() => new DeribitProtocol(heartbeatSeconds: heartbeat, tradesInterval: trades, tickerInterval: ticker));
    }

    [Fact]
    public void ReplyToAnswersATestRequestWithPublicTest()
    {
        IVenueProtocol protocol = new DeribitProtocol();

        var reply = protocol.ReplyTo(Utf8(TestRequest));

        Assert.Equal(DeribitProtocol.TestFrame, reply);
        using var doc = JsonDocument.Parse(reply!);
        Assert.Equal("public/test", doc.RootElement.GetProperty("method").GetString());
        Assert.Equal("2.0", doc.RootElement.GetProperty("jsonrpc").GetString());
        // Reordered and escaped forms of the same notification are recognised too.
        Assert.NotNull(protocol.ReplyTo(Utf8("""{"params":{"type":"test_request"},"method":"heartbeat","jsonrpc":"2.0"}""")));
    }

    [Theory]
    [InlineData(Heartbeat)]
    [InlineData(SubscribeResult)]
    [InlineData(TestResult)]
    [InlineData(Trade)]
    [InlineData(Error)]
    [InlineData("""{"jsonrpc":"2.0","method":"subscription","params":{"channel":"x","data":{"type":"test_request"}}}""")]
    [InlineData("""{"method":"heartbeat","params":{"type":"test_request" """)]
    [InlineData("test_request")]
    [InlineData("")]
    public void ReplyToIsNullForOtherFrames(string json)
    {
        Assert.Null(new DeribitProtocol().ReplyTo(Utf8(json)));
    }

    [Fact]
    public void ReplyToAllocatesNothing()
    {
        var protocol = new DeribitProtocol();
        var heartbeat = Utf8(Heartbeat);
        var testRequest = Utf8(TestRequest);
        var trade = Utf8(Trade);
        protocol.ReplyTo(testRequest);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var replies = 0;
        for (var i = 0; i < 1000; i++)
        {
            replies += protocol.ReplyTo(heartbeat) is null ? 0 : 1;
            replies += protocol.ReplyTo(trade) is null ? 0 : 1;
            replies += protocol.ReplyTo(testRequest) is null ? 0 : 1;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1000, replies);
    }
}
