namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Bybit v5 <c>tickers.{symbol}</c>: quote, mark, index and funding, each only when its field is in the message (a
/// <c>delta</c> carries only what changed). The v5 docs' linear snapshot:
/// <code>
/// {"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"BTCUSDT","tickDirection":"PlusTick","price24hPcnt":"0.017103","lastPrice":"17216.00","prevPrice24h":"16926.50","highPrice24h":"17281.50","lowPrice24h":"16915.00","prevPrice1h":"17238.00","markPrice":"17217.33","indexPrice":"17227.36","openInterest":"68744.761","openInterestValue":"1183601235.91","turnover24h":"1570383121.943499","volume24h":"91705.276","nextFundingTime":"1673280000000","fundingRate":"-0.000212","bid1Price":"17215.50","bid1Size":"84.489","ask1Price":"17216.00","ask1Size":"83.020"},"cs":24987956059,"ts":1673272861686}
/// </code>
/// </summary>
public sealed partial class BybitDecoder
{
    private FrameOutcome Ticker(ref Fields f, ref Envelope env, ref Context ctx)
    {
        if (!TryInstrument(ref f, ref ctx, out var instrument, out var failure))
        {
            return failure;
        }

        if (env.Ts.IsEmpty)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!VenueTime.TryParseMillis(env.Ts, out var ts))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        VenueInteger.TryParse(env.Cs, out var cs);
        var hasQuote = f.Has(Field.Bid1Price) || f.Has(Field.Bid1Size) || f.Has(Field.Ask1Price) || f.Has(Field.Ask1Size);
        var bbo = default(Bbo);
        if (hasQuote && !env.Type.SequenceEqual("snapshot"u8))
        {
            _bbo.TryGetValue(instrument.Value, out bbo);
        }

        decimal mark = 0, index = 0, rate = 0;
        if ((hasQuote && !TryApply(ref f, ref bbo)) ||
            (f.Has(Field.MarkPrice) && (!VenueDecimal.TryParse(f.MarkPrice, out mark) || mark <= 0)) ||
            (f.Has(Field.IndexPrice) && (!VenueDecimal.TryParse(f.IndexPrice, out index) || index <= 0)) ||
            (f.Has(Field.FundingRate) && !VenueDecimal.TryParse(f.FundingRate, out rate)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        var template = Template(instrument, ts, ctx.ReceiveTimeNs, cs);
        var before = ctx.Events;
        if (hasQuote)
        {
            _bbo[instrument.Value] = bbo;
            if (bbo.Bid > 0 || bbo.Ask > 0)
            {
                ctx.Add(template with { Kind = EventKind.Quote, Price = bbo.Bid, Size = bbo.BidSize, Aux = bbo.Ask, AuxSize = bbo.AskSize });
            }
        }

        if (f.Has(Field.MarkPrice))
        {
            ctx.Add(template with { Kind = EventKind.Mark, Price = mark });
        }

        if (f.Has(Field.IndexPrice))
        {
            ctx.Add(template with { Kind = EventKind.Index, Price = index });
        }

        if (f.Has(Field.FundingRate))
        {
            ctx.Add(template with { Kind = EventKind.Funding, Price = rate });
        }

        return FrameOutcome.Decoded(ctx.Events - before);
    }


    /// <summary>Applies the ticker's bid/ask fields to the last known best bid and offer. An empty price clears that side.</summary>
    private static bool TryApply(ref Fields f, ref Bbo bbo)
    {
        if (f.Has(Field.Bid1Price) && !TryPrice(f.Bid1Price, out bbo.Bid))
        {
            return false;
        }

        if (f.Has(Field.Bid1Size) && !TrySize(f.Bid1Size, out bbo.BidSize))
        {
            return false;
        }

        if (f.Has(Field.Ask1Price) && !TryPrice(f.Ask1Price, out bbo.Ask))
        {
            return false;
        }

        return !f.Has(Field.Ask1Size) || TrySize(f.Ask1Size, out bbo.AskSize);

        static bool TryPrice(ReadOnlySpan<byte> text, out decimal price)
        {
            price = 0;
            return text.IsEmpty || (VenueDecimal.TryParse(text, out price) && price > 0);
        }

        static bool TrySize(ReadOnlySpan<byte> text, out decimal size)
        {
            size = 0;
            return text.IsEmpty || (VenueDecimal.TryParse(text, out size) && size >= 0);
        }
    }

    /// <summary>What every event of one ticker or instrument-info message shares; each event adds its kind and values.</summary>
    private static MarketEvent Template(InstrumentId instrument, long exchangeNs, long receiveNs, long sequence) => new()
    {
        Instrument = instrument,
        Venue = VenueId.Bybit,
        Provider = ProviderId.Bybit,
        ExchangeTimeNs = exchangeNs,
        ReceiveTimeNs = receiveNs,
        Sequence = sequence,
    };
}
