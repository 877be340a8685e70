using Cloudwall.Rx.Core;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenRecordings;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>
/// The v1 decoder against real Kraken traffic (recorded feeds from the cryptofeed project by Bryant Moscon). Counts were taken
/// with an independent script over the raw files; the hand-checked values were read off the raw lines (line numbers are the
/// file's).
/// </summary>
public sealed class KrakenV1RecordedFeedTests
{
    [RecordedFact(V1Trades)]
    public void TradesFile_every_frame_is_decoded_or_ignored_and_every_batched_trade_is_kept()
    {
        var d = Get(V1Trades);

        Assert.Equal(0, d.Threw);
        Assert.Equal(49, d.Frames.Count);
        Assert.Equal(8, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Decoded));
        Assert.Equal(31, d.Count(FrameOutcome.Ignored(FrameReason.Heartbeat))); // 30 heartbeats + 1 systemStatus
        Assert.Equal(10, d.Count(FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
        Assert.Equal(2, d.Count(FrameOutcome.Decoded(2))); // lines 35 and 41 batch two trades each

        var events = d.Events;
        Assert.Equal(10, events.Count);
        Assert.All(events, e => Assert.Equal(EventKind.Trade, e.Kind));
        Assert.Equal(5, events.Count(e => e.Side == Side.Buy));
        Assert.Equal(5, events.Count(e => e.Side == Side.Sell));
        Assert.Equal(4, events.Count(e => d.Key(e) == "XMR-USD.SPOT"));
        Assert.Equal(6, events.Count(e => d.Key(e) == "SC-EUR.SPOT"));
        Assert.All(events, e => Assert.True(e.TradeId.IsNone)); // v1 trades carry no id
        Assert.All(events, e => Assert.Equal(0, e.Sequence));
    }

    [RecordedFact(V1Trades)]
    public void TradesFile_hand_checked_trades()
    {
        var d = Get(V1Trades);

        // 23: [993,[["354.11000000","0.89594024","1618678142.557535","s","l",""]],"trade","XMR/USD"]
        var a = Assert.Single(d.Line(23).Events);
        Assert.Equal("XMR-USD.SPOT", d.Key(a));
        Assert.Equal(VenueId.Kraken, a.Venue);
        Assert.Equal(ProviderId.Kraken, a.Provider);
        Assert.Equal(Side.Sell, a.Side);
        Assert.Equal("354.11000000", Text(a.Price));
        Assert.Equal("0.89594024", Text(a.Size));
        Assert.Equal(1_618_678_142_557_535_000, a.ExchangeTimeNs);
        Assert.Equal(1_618_678_142_592_855_000, a.ReceiveTimeNs);

        // 35: two trades in one message, both kept in order.
        var batch = d.Line(35).Events;
        Assert.Equal(2, batch.Length);
        Assert.Equal("354.04000000", Text(batch[0].Price));
        Assert.Equal("0.28245396", Text(batch[0].Size));
        Assert.Equal(1_618_678_150_826_417_000, batch[0].ExchangeTimeNs);
        Assert.Equal("353.81000000", Text(batch[1].Price));
        Assert.Equal("1.71754604", Text(batch[1].Size));
        Assert.Equal(1_618_678_150_827_816_000, batch[1].ExchangeTimeNs);
        Assert.All(batch, e => Assert.Equal(Side.Sell, e.Side));

        // 46: [1921,[["0.043040","20000.00000000","1618678158.135041","b","l",""]],"trade","SC/EUR"]
        var c = Assert.Single(d.Line(46).Events);
        Assert.Equal("SC-EUR.SPOT", d.Key(c));
        Assert.Equal(Side.Buy, c.Side);
        Assert.Equal("0.043040", Text(c.Price));
        Assert.Equal("20000.00000000", Text(c.Size));
        Assert.Equal("2021-04-17T16:49:18.135041Z", UnixTime.ToIso(c.ExchangeTimeNs));
    }

    [RecordedFact(V1Ticker)]
    public void TickerFile_every_ticker_is_a_quote()
    {
        var d = Get(V1Ticker);

        Assert.Equal(0, d.Threw);
        Assert.Equal(60, d.Frames.Count);
        Assert.Equal(18, d.Count(FrameOutcome.Decoded(1)));
        Assert.Equal(32, d.Count(FrameOutcome.Ignored(FrameReason.Heartbeat))); // 31 heartbeats + 1 systemStatus
        Assert.Equal(10, d.Count(FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
        var events = d.Events;
        Assert.Equal(18, events.Count);
        Assert.All(events, e => Assert.Equal(EventKind.Quote, e.Kind));
        Assert.All(events, e => Assert.Equal(0, e.ExchangeTimeNs)); // the v1 ticker has no timestamp
        Assert.All(events, e => Assert.True(e.Price < e.Aux));
        Assert.Equal(10, events.Select(e => e.Instrument).Distinct().Count());
    }

    [RecordedFact(V1Ticker)]
    public void TickerFile_hand_checked_quotes()
    {
        var d = Get(V1Ticker);

        // 14: WAVES/EUR "a":["13.253900",35,"35.72892241"],"b":["13.232900",185,"185.18432037"]
        var a = Assert.Single(d.Line(14).Events);
        Assert.Equal("WAVES-EUR.SPOT", d.Key(a));
        Assert.Equal("13.232900", Text(a.Price));
        Assert.Equal("185.18432037", Text(a.Size));
        Assert.Equal("13.253900", Text(a.Aux));
        Assert.Equal("35.72892241", Text(a.AuxSize));
        Assert.Equal(1_618_678_132_949_649_800, a.ReceiveTimeNs);

        // 22: XBT/CHF "a":["56218.30000",0,"0.13690578"],"b":["56119.10000",0,"0.03333108"]: XBT is BTC.
        var b = Assert.Single(d.Line(22).Events);
        Assert.Equal("BTC-CHF.SPOT", d.Key(b));
        Assert.Equal("XBT/CHF", d.RefData.VenueSymbol(b.Instrument, VenueId.Kraken));
        Assert.Equal("56119.10000", Text(b.Price));
        Assert.Equal("0.03333108", Text(b.Size));
        Assert.Equal("56218.30000", Text(b.Aux));
        Assert.Equal("0.13690578", Text(b.AuxSize));

        // 16: KSM/XBT "a":["0.00758800",1,"1.30832721"],"b":["0.00758000",0,"0.21000000"]
        var c = Assert.Single(d.Line(16).Events);
        Assert.Equal("KSM-BTC.SPOT", d.Key(c));
        Assert.Equal("0.00758000", Text(c.Price));
        Assert.Equal("0.21000000", Text(c.Size));
        Assert.Equal("0.00758800", Text(c.Aux));
        Assert.Equal("1.30832721", Text(c.AuxSize));
    }

    [RecordedFact(V1Book)]
    public void BookFile_every_book_frame_is_ignored_even_the_80_KB_snapshots()
    {
        var d = Get(V1Book);

        Assert.Equal(0, d.Threw);
        Assert.Equal(4321, d.Frames.Count);
        Assert.Equal(4279, d.Count(FrameOutcome.Ignored(FrameReason.BookUpdate)));
        Assert.Equal(32, d.Count(FrameOutcome.Ignored(FrameReason.Heartbeat)));
        Assert.Equal(10, d.Count(FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
        Assert.Empty(d.Events);
    }

    [RecordedFact(V1Book)]
    public void BookFile_hand_checked_frames()
    {
        var d = Get(V1Book);

        // 15: the XMR/USD depth-1000 snapshot, the largest frame (over the 64 KiB cap): a book frame, not an oversized one.
        var big = d.Line(15);
        Assert.True(big.Line.Payload.Length > 64 * 1024);
        Assert.Equal(FrameOutcome.Ignored(FrameReason.BookUpdate), big.Outcome);
        // 4: {"channelID":1664,"channelName":"book-1000","event":"subscriptionStatus",...,"status":"subscribed",...}
        Assert.Equal(FrameOutcome.Ignored(FrameReason.SubscriptionAck), d.Line(4).Outcome);
        // 14: {"event":"heartbeat"}; 3: {"connectionID":...,"event":"systemStatus","status":"online","version":"1.8.3"}
        Assert.Equal(FrameOutcome.Ignored(FrameReason.Heartbeat), d.Line(14).Outcome);
        Assert.Equal(FrameOutcome.Ignored(FrameReason.Heartbeat), d.Line(3).Outcome);
    }

    internal static string Text(decimal d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
