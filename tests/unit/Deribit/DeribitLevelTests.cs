using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using static Cloudwall.Rx.Tests.Unit.Deribit.DeribitFrames;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

/// <summary>Deribit's data levels (docs/venues.md, "Data levels", Deribit): the channels each subscribes and the quote decode.</summary>
public sealed class DeribitLevelTests
{
    [Fact]
    public void Deribit_offers_throttled_first_then_quotes_and_no_raw_trades_level()
    {
        Assert.True(ProviderCatalog.TryGet("deribit", out var kind));
        Assert.Equal(["throttled", "quotes"], kind.Levels.Select(l => l.Name));
        Assert.Null(kind.Level("trades")); // raw channels need an authorized connection; the connector does not log in
    }

    [Theory]
    [InlineData(false, new[] { "trades.BTC-PERPETUAL.100ms", "ticker.BTC-PERPETUAL.100ms", "trades.ETH-PERPETUAL.100ms", "ticker.ETH-PERPETUAL.100ms" })]
    [InlineData(true, new[] { "quote.BTC-PERPETUAL", "quote.ETH-PERPETUAL" })]
    public void Each_level_subscribes_its_documented_channels(bool quotesOnly, string[] expected)
    {
        var frame = Assert.Single(new DeribitProtocol(quotesOnly: quotesOnly).SubscribeFrames(["BTC-PERPETUAL", "ETH-PERPETUAL"]));

        var root = JsonDocument.Parse(frame).RootElement;
        Assert.Equal("public/subscribe", root.GetProperty("method").GetString());
        Assert.Equal(expected, root.GetProperty("params").GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(["quote.BTC-PERPETUAL"], new DeribitProtocol(quotesOnly: true).ChannelsOf("BTC-PERPETUAL"));
    }

    [Fact]
    public void The_docs_quote_notification_is_one_quote()
    {
        var refData = NewRefData();
        var output = new EventBuffer();

        var outcome = new DeribitDecoder(refData).Decode(Utf8(Quote), 1_700_000_000_000_000_000, output);

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        var q = Assert.Single(output.AsSpan().ToArray());
        Assert.Equal((EventKind.Quote, "BTC-USD.PERP"), (q.Kind, refData.KeyOf(q.Instrument)));
        Assert.Equal((3914.97m, 40m, 3996.61m, 50m), (q.Price, q.Size, q.Aux, q.AuxSize));
        Assert.Equal(1550658624149L * 1_000_000, q.ExchangeTimeNs);
    }
}
