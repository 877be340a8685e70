using System.Globalization;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Tests.Unit.Okx;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using static Cloudwall.Rx.Tests.Unit.Okx.DecodedRecording;

namespace Cloudwall.Rx.Tests.Unit.Bybit;

/// <summary>
/// The Bybit decoder against the pre-v5 recordings of 2021-04-17 (recorded feeds from the cryptofeed project by Bryant
/// Moscon): <c>.25</c> is <c>realtime_public</c> (USDT perpetuals), <c>.26</c> is <c>realtime</c> (inverse perpetuals).
/// Counts were taken from the raw files with a separate script; hand-checked rows were read off the raw lines.
/// </summary>
public sealed class BybitRecordedFeedTests
{
    private static readonly Lazy<DecodedRecording> Linear = new(() => Load(BybitLinearFile, Create));
    private static readonly Lazy<DecodedRecording> Inverse = new(() => Load(BybitInverseFile, Create));

    private static BybitDecoder Create(ReferenceData refData)
    {
        BybitSymbols.Register(refData);
        return new BybitDecoder(refData); // as the replay does: no category, placed by settlement
    }

    [RecordedFact(BybitLinearFile)]
    public void LinearRecordingDecodesOrIgnoresEveryFrame()
    {
        var d = Linear.Value;

        Assert.Equal(0, d.Threw);
        Assert.Equal(3342, d.Frames.Count);
        Assert.Equal(66, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Decoded));
        Assert.Equal(3260, d.Count(FrameOutcome.Ignored(FrameReason.BookUpdate))); // orderBookL2_25: 8 snapshots + 3252 deltas
        Assert.Equal(16, d.Count(FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
        Assert.Equal(101, d.CountKind(EventKind.Trade));
        Assert.Equal(101, d.Events.Count);
        Assert.Equal(79, d.Events.Count(e => e.Side == Side.Buy));
        Assert.Equal(22, d.Events.Count(e => e.Side == Side.Sell));
        Assert.Equal(29, d.Events.Count(e => d.Key(e) == "XTZ-USDT.PERP"));
        Assert.Equal(29, d.Events.Count(e => d.Key(e) == "LTC-USDT.PERP"));
        Assert.Equal(17, d.Events.Count(e => d.Key(e) == "BCH-USDT.PERP"));
        Assert.Equal(8, d.Events.Select(e => e.Instrument).Distinct().Count());
        Assert.All(d.Events, e => Assert.Equal(TradeIdKind.Uuid, e.TradeId.Kind));
    }

    [RecordedFact(BybitInverseFile)]
    public void InverseRecordingDecodesOrIgnoresEveryFrame()
    {
        var d = Inverse.Value;

        Assert.Equal(0, d.Threw);
        Assert.Equal(1098, d.Frames.Count);
        Assert.Equal(76, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Decoded));
        Assert.Equal(1018, d.Count(FrameOutcome.Ignored(FrameReason.BookUpdate)));
        Assert.Equal(4, d.Count(FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
        Assert.Equal(150, d.CountKind(EventKind.Trade));
        Assert.Equal(150, d.Events.Count);
        Assert.Equal(109, d.Events.Count(e => e.Side == Side.Buy));
        Assert.Equal(41, d.Events.Count(e => e.Side == Side.Sell));
        Assert.Equal(131, d.Events.Count(e => d.Key(e) == "BTC-USD.PERP"));
        Assert.Equal(19, d.Events.Count(e => d.Key(e) == "EOS-USD.PERP"));
    }

    [RecordedFact(BybitLinearFile)]
    public void HandCheckedLinearTradesDecodeExactly()
    {
        var d = Linear.Value;

        // Line 18: price is a string, size a number, trade_time_ms a string; side is the taker's.
        var a = Assert.Single(d.AtLine(18).Events);
        Assert.Equal("BCH-USDT.PERP", d.Key(a));
        Assert.Equal("BCHUSDT", d.RefData.VenueSymbol(a.Instrument, VenueId.Bybit));
        AssertExact("1053.90", a.Price);
        AssertExact("0.14", a.Size);
        Assert.Equal(Side.Buy, a.Side);
        Assert.Equal(1_618_677_785_116_000_000, a.ExchangeTimeNs);
        Assert.Equal(1_618_677_786_799_668_000, a.ReceiveTimeNs);
        Assert.Equal(TradeId.FromGuid(Guid.Parse("01cacfe9-8d1c-5ee4-995d-d79a43f955a6")), a.TradeId);
        Assert.Equal(0, a.Sequence); // realtime_public trades carry no cross_seq

        var b = Assert.Single(d.AtLine(778).Events);
        AssertExact("1054.90", b.Price);
        AssertExact("0.01", b.Size);
        Assert.Equal(Side.Sell, b.Side);
        Assert.Equal(1_618_677_791_132_000_000, b.ExchangeTimeNs);
        Assert.Equal("337052e3-9946-5c34-85a6-36dd2aa87937", b.TradeId.ToString());

        // Line 3183: two LTCUSDT trades in one message; both kept, in order.
        var batch = d.AtLine(3183);
        Assert.Equal(FrameOutcome.Decoded(2), batch.Outcome);
        Assert.Equal(["314.37", "314.38"], batch.Events.Select(e => e.Price.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(["0.6", "0.4"], batch.Events.Select(e => e.Size.ToString(CultureInfo.InvariantCulture)));
        Assert.All(batch.Events, e => Assert.Equal("LTC-USDT.PERP", d.Key(e)));
        Assert.All(batch.Events, e => Assert.Equal(1_618_677_814_006_000_000, e.ExchangeTimeNs));
    }

    [RecordedFact(BybitInverseFile)]
    public void HandCheckedInverseTradesDecodeExactly()
    {
        var d = Inverse.Value;

        // Line 55: five BTCUSD trades; numbers (not strings) for price, size and trade_time_ms; cross_seq kept.
        var first = d.AtLine(55);
        Assert.Equal(FrameOutcome.Decoded(5), first.Outcome);
        var a = first.Events[0];
        Assert.Equal("BTC-USD.PERP", d.Key(a));
        AssertExact("60621.5", a.Price);
        AssertExact("4", a.Size);
        Assert.Equal(Side.Sell, a.Side);
        Assert.Equal(1_618_677_786_614_000_000, a.ExchangeTimeNs);
        Assert.Equal(5_938_955_347, a.Sequence);
        Assert.Equal("5ffb8b77-900c-507d-97a2-0922557ffe54", a.TradeId.ToString());

        var b = Assert.Single(d.AtLine(584).Events);
        AssertExact("60623", b.Price);
        AssertExact("172", b.Size);
        Assert.Equal(Side.Buy, b.Side);
        Assert.Equal(1_618_677_800_118_000_000, b.ExchangeTimeNs);
        Assert.Equal(1_618_677_800_255_931_900, b.ReceiveTimeNs);

        var c = Assert.Single(d.AtLine(1102).Events);
        AssertExact("60622.5", c.Price);
        AssertExact("97", c.Size);
        Assert.Equal(Side.Sell, c.Side);
        Assert.Equal(1_618_677_816_319_000_000, c.ExchangeTimeNs);
    }

    [RecordedFact(BybitInverseFile)]
    public void EveryTradeMatchesAnIndependentReadingOfItsRawLine()
    {
        foreach (var d in new[] { Linear.Value, Inverse.Value })
        {
            foreach (var frame in d.Frames.Where(f => f.Events.Length > 0))
            {
                using var doc = JsonDocument.Parse(frame.Line.Payload);
                var data = doc.RootElement.GetProperty("data").EnumerateArray().ToArray();
                Assert.Equal(data.Length, frame.Events.Length);
                for (var i = 0; i < data.Length; i++)
                {
                    var x = data[i];
                    var e = frame.Events[i];
                    Assert.Equal(x.GetProperty("symbol").GetString(), d.RefData.VenueSymbol(e.Instrument, VenueId.Bybit));
                    AssertExact(Raw(x.GetProperty("price")), e.Price);
                    AssertExact(Raw(x.GetProperty("size")), e.Size);
                    Assert.Equal(x.GetProperty("side").GetString() == "Buy" ? Side.Buy : Side.Sell, e.Side);
                    Assert.Equal(long.Parse(Raw(x.GetProperty("trade_time_ms")), CultureInfo.InvariantCulture) * 1_000_000, e.ExchangeTimeNs);
                    Assert.Equal(x.GetProperty("trade_id").GetString(), e.TradeId.ToString());
                }
            }
        }

        static string Raw(JsonElement x) => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText();
    }

    [RecordedFact(BybitLinearFile)]
    public void ReplayNameBybitHandlesTheLegacyRecordings()
    {
        foreach (var (file, expected) in new[]
                 {
                     (BybitLinearFile, "decoded=66 ignored=3276 rejected=0 events=101"),
                     (BybitInverseFile, "decoded=76 ignored=1022 rejected=0 events=150"),
                 })
        {
            var refData = new ReferenceData();
            Assert.True(ReplayVenues.TryCreate("bybit", refData, out var decoder));
            var stderr = new StringWriter();

            var exit = Replay.Run(decoder, refData, RecordedFiles.PathOf(file), TextWriter.Null, stderr);

            Assert.Equal(Replay.ExitOk, exit);
            Assert.Equal(expected, stderr.ToString().Split('\n')[0].Trim());
        }
    }
}
