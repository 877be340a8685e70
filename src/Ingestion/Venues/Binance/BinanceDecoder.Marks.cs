namespace Cloudwall.Rx.Ingestion.Venues.Binance;

/// <summary>
/// Binance futures <c>markPriceUpdate</c>: a mark (<c>p</c>), an index (<c>i</c>) and funding (<c>r</c>, empty for COIN-M
/// delivery contracts), timed by <c>E</c>. The recordings hold no mark-price stream; the documentation's examples, USDⓈ-M
/// (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Mark-Price-Stream,
/// checked 2026-12-06) and COIN-M
/// (https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams/Mark-Price-Stream,
/// checked 2026-12-06), with their field comments removed:
/// <code>
/// {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}
/// {"e":"markPriceUpdate","E":1596095725000,"s":"BTCUSD_201225","p":"10934.62615417","P":"10962.17178236","i":"10933.62615417","r":"","T":0}
/// </code>
/// </summary>
public sealed partial class BinanceDecoder
{
    private FrameOutcome BuildMark(ref Fields f, long receiveTimeNs, EventBuffer output)
    {
        if (!f.Has(Field.Symbol) || !f.Has(Field.P) || !f.Has(Field.EventTime))
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!RefData.TryResolve(Venue, f.Symbol, out var instrument))
        {
            return FrameOutcome.Rejected(FrameReason.UnknownSymbol);
        }

        // Index and funding are optional: an empty string (COIN-M delivery funding) means "not published".
        var hasIndex = f.Has(Field.I) && !f.I.IsEmpty;
        var hasFunding = f.Has(Field.R) && !f.R.IsEmpty;
        decimal index = 0, rate = 0;
        if (!VenueDecimal.TryParse(f.P, out var mark) || mark <= 0 ||
            (hasIndex && (!VenueDecimal.TryParse(f.I, out index) || index <= 0)) ||
            (hasFunding && !VenueDecimal.TryParse(f.R, out rate)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        if (!VenueTime.TryParseMillis(f.EventTime, out var exchangeTimeNs))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        var e = new MarketEvent
        {
            Kind = EventKind.Mark,
            Instrument = instrument,
            Venue = Venue,
            Provider = Provider,
            Price = mark,
            ExchangeTimeNs = exchangeTimeNs,
            ReceiveTimeNs = receiveTimeNs,
        };
        output.Add(e);
        var n = 1;
        if (hasIndex)
        {
            output.Add(e with { Kind = EventKind.Index, Price = index });
            n++;
        }

        if (hasFunding)
        {
            output.Add(e with { Kind = EventKind.Funding, Price = rate });
            n++;
        }

        return FrameOutcome.Decoded(n);
    }
}
