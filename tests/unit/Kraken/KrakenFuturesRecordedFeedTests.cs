using Cloudwall.Rx.Core;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenRecordings;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenV1RecordedFeedTests;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>
/// The Futures decoder against real Kraken Futures traffic (recorded feeds from the cryptofeed project by Bryant Moscon):
/// <c>trade</c> (10 snapshots of 100 trades, 3 live trades), <c>ticker_lite</c>, <c>book</c>. Counts were taken with an
/// independent script; hand-checked values were read off the raw lines.
/// </summary>
public sealed class KrakenFuturesRecordedFeedTests
{
    [RecordedFact(Futures)]
    public void Every_frame_is_decoded_or_ignored()
    {
        var d = Get(Futures);

        Assert.Equal(0, d.Threw);
        Assert.Equal(7175, d.Frames.Count);
        Assert.Equal(10, d.Count(FrameOutcome.Decoded(100))); // trade_snapshot
        Assert.Equal(3 + 107, d.Count(FrameOutcome.Decoded(1))); // live trades + ticker_lite
        Assert.Equal(7014 + 10, d.Count(FrameOutcome.Ignored(FrameReason.BookUpdate))); // book + book_snapshot
        Assert.Equal(30, d.Count(FrameOutcome.Ignored(FrameReason.SubscriptionAck)));
        Assert.Equal(1, d.Count(FrameOutcome.Ignored(FrameReason.Heartbeat))); // {"event":"info","version":1}
        Assert.Equal(0, d.Frames.Count(f => f.Outcome.Status == FrameStatus.Rejected));
    }

    [RecordedFact(Futures)]
    public void Yields_1003_trades_and_107_quotes_with_contiguous_ascending_sequences()
    {
        var d = Get(Futures);
        var events = d.Events;

        Assert.Equal(1110, events.Count);
        var trades = events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(1003, trades.Count);
        Assert.Equal(531, trades.Count(e => e.Side == Side.Buy));
        Assert.Equal(472, trades.Count(e => e.Side == Side.Sell));
        Assert.All(trades, e => Assert.Equal(TradeIdKind.Uuid, e.TradeId.Kind));
        Assert.Equal(107, events.Count(e => e.Kind == EventKind.Quote));
        Assert.Equal(0, events.Count(e => e.Kind is EventKind.Mark or EventKind.Index or EventKind.Funding)); // ticker_lite only

        // Per product, trade sequences ascend by exactly one across the snapshot and the live trades that follow it.
        foreach (var series in trades.GroupBy(e => e.Instrument))
        {
            var seqs = series.Select(e => e.Sequence).ToArray();
            Assert.All(seqs.Zip(seqs.Skip(1)), p => Assert.Equal(p.First + 1, p.Second));
        }

        Assert.Equal(10, trades.Select(e => e.Instrument).Distinct().Count());
        Assert.Equal(
            ["BCH-USD-20210730.FUT", "BCH-USD-20210924.FUT", "BTC-USD-20210730.FUT", "BTC-USD-20210924.FUT", "ETH-USD-20210730.FUT",
             "ETH-USD-20211231.FUT", "ETH-USD.PERP", "LTC-USD.PERP", "XRP-USD-20210924.FUT", "XRP-USD.PERP"],
            trades.Select(e => d.Key(e)).Distinct().Order(StringComparer.Ordinal).ToArray());
    }

    [RecordedFact(Futures)]
    public void Hand_checked_live_trade()
    {
        var d = Get(Futures);

        // 577: {"feed":"trade","product_id":"PI_LTCUSD","uid":"e2429e31-8b9d-4195-900e-fd42be2dec89","side":"buy","type":"fill",
        //       "seq":5956,"time":1626994929946,"qty":320.0,"price":119.44}
        var e = Assert.Single(d.Line(577).Events);
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal("LTC-USD.PERP", d.Key(e));
        Assert.Equal(VenueId.KrakenFutures, e.Venue);
        Assert.Equal(ProviderId.KrakenFutures, e.Provider);
        Assert.Equal(Side.Buy, e.Side);
        Assert.Equal("119.44", Text(e.Price));
        Assert.Equal("320.0", Text(e.Size));
        Assert.Equal(5956, e.Sequence);
        Assert.Equal(TradeId.FromGuid(Guid.Parse("e2429e31-8b9d-4195-900e-fd42be2dec89")), e.TradeId);
        Assert.Equal(1_626_994_929_946_000_000, e.ExchangeTimeNs);
        Assert.Equal("2021-07-22T23:02:09.946Z", UnixTime.ToIso(e.ExchangeTimeNs));
    }

    [RecordedFact(Futures)]
    public void Hand_checked_snapshot_is_emitted_oldest_first()
    {
        var d = Get(Futures);

        // 38: {"feed":"trade_snapshot","product_id":"FI_BCHUSD_210730","trades":[{...,"uid":"8b3e7e72-950c-4c4e-8ab8-24aebcab80d2",
        //     "side":"buy","type":"fill","seq":1487,"time":1626994887094,"qty":50.0,"price":439.2},
        //     {...,"uid":"088686e3-bfdb-412f-8866-773f286d892e","side":"sell","type":"fill","seq":1486,"time":1626994880995,"qty":25760.0,"price":438.9},...
        //     down to seq 1388]
        var events = d.Line(38).Events;
        Assert.Equal(100, events.Length);
        Assert.Equal(1388, events[0].Sequence);
        var newest = events[^1];
        Assert.Equal("BCH-USD-20210730.FUT", d.Key(newest));
        Assert.Equal(1487, newest.Sequence);
        Assert.Equal(Side.Buy, newest.Side);
        Assert.Equal("439.2", Text(newest.Price));
        Assert.Equal("50.0", Text(newest.Size));
        Assert.Equal(1_626_994_887_094_000_000, newest.ExchangeTimeNs);
        Assert.Equal(Guid.Parse("8b3e7e72-950c-4c4e-8ab8-24aebcab80d2"), newest.TradeId.ToGuid());
        var second = events[^2];
        Assert.Equal(1486, second.Sequence);
        Assert.Equal(Side.Sell, second.Side);
        Assert.Equal("438.9", Text(second.Price));
        Assert.Equal("25760.0", Text(second.Size));
        Assert.Equal(1_626_994_880_995_000_000, second.ExchangeTimeNs);
    }

    [RecordedFact(Futures)]
    public void Hand_checked_ticker_lite_quotes()
    {
        var d = Get(Futures);

        // 46: {"feed":"ticker_lite","product_id":"FI_XBTUSD_210924","bid":32189.5,"ask":32221.0,...,"tag":"quarter",...}
        var a = Assert.Single(d.Line(46).Events);
        Assert.Equal(EventKind.Quote, a.Kind);
        Assert.Equal("BTC-USD-20210924.FUT", d.Key(a));
        Assert.Equal("32189.5", Text(a.Price));
        Assert.Equal("32221.0", Text(a.Aux));
        Assert.Equal(0m, a.Size); // ticker_lite has no sizes
        Assert.Equal(0, a.ExchangeTimeNs); // nor a time
        Assert.Equal(1_626_994_927_870_052_000, a.ReceiveTimeNs);

        // 49: {"feed":"ticker_lite","product_id":"PI_XRPUSD","bid":0.5881,"ask":0.5888,...,"tag":"perpetual",...}
        var b = Assert.Single(d.Line(49).Events);
        Assert.Equal("XRP-USD.PERP", d.Key(b));
        Assert.Equal("0.5881", Text(b.Price));
        Assert.Equal("0.5888", Text(b.Aux));
    }
}
