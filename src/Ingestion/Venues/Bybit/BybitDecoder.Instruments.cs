namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Bybit legacy <c>instrument_info.100ms.{symbol}</c>: mark, index and funding as scaled integers, converted exactly. The
/// legacy docs' inverse snapshot:
/// <code>
/// {"topic":"instrument_info.100ms.BTCUSD","type":"snapshot","data":{"id":1,"symbol":"BTCUSD","last_price_e4":81165000,"last_price":"8116.50","bid1_price_e4":81165000,"bid1_price":"8116.50","ask1_price_e4":81170000,"ask1_price":"8117.00","last_tick_direction":"ZeroPlusTick","prev_price_24h_e4":81585000,"mark_price_e4":81178500,"index_price_e4":81172800,"open_interest":154418471,"funding_rate_e6":100,"predicted_funding_rate_e6":-375,"cross_seq":1053192577,"created_at":"2018-11-14T16:33:26Z","updated_at":"2020-01-12T18:25:16Z","next_funding_time":"2020-01-13T00:00:00Z","countdown_hour":6},"cross_seq":1053192634,"timestamp_e6":1578853524091081}
/// </code>
/// </summary>
public sealed partial class BybitDecoder
{
    private FrameOutcome Instrument(ref Fields f, ref Envelope env, ref Context ctx)
    {
        var hasMark = f.Has(Field.MarkPrice) || f.Has(Field.MarkE4);
        var hasIndex = f.Has(Field.IndexPrice) || f.Has(Field.IndexE4);
        var hasFunding = f.Has(Field.FundingE6);
        if (!hasMark && !hasIndex && !hasFunding)
        {
            return FrameOutcome.Decoded(0); // a delta of fields we do not read (last price, volume, ...)
        }

        if (!TryInstrument(ref f, ref ctx, out var instrument, out var failure))
        {
            return failure;
        }

        decimal mark = 0, index = 0, rate = 0, predicted = 0;
        if ((hasMark && !(f.Has(Field.MarkPrice) ? VenueDecimal.TryParse(f.MarkPrice, out mark) : VenueDecimal.TryParseScaled(f.MarkE4, 4, out mark))) ||
            (hasMark && mark <= 0) ||
            (hasIndex && !(f.Has(Field.IndexPrice) ? VenueDecimal.TryParse(f.IndexPrice, out index) : VenueDecimal.TryParseScaled(f.IndexE4, 4, out index))) ||
            (hasIndex && index <= 0) ||
            (hasFunding && !VenueDecimal.TryParseScaled(f.FundingE6, 6, out rate)) ||
            (f.Has(Field.PredictedFundingE6) && !VenueDecimal.TryParseScaled(f.PredictedFundingE6, 6, out predicted)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        long ts;
        bool timeOk;
        if (!env.TimestampE6.IsEmpty)
        {
            timeOk = VenueTime.TryParseMicros(env.TimestampE6, out ts);
        }
        else if (f.Has(Field.UpdatedAt))
        {
            timeOk = VenueTime.TryParseIso(f.UpdatedAt, out ts);
        }
        else
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!timeOk)
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        VenueInteger.TryParse(env.CrossSeq, out var seq);
        var template = Template(instrument, ts, ctx.ReceiveTimeNs, seq);
        var before = ctx.Events;
        if (hasMark)
        {
            ctx.Add(template with { Kind = EventKind.Mark, Price = mark });
        }

        if (hasIndex)
        {
            ctx.Add(template with { Kind = EventKind.Index, Price = index });
        }

        if (hasFunding)
        {
            ctx.Add(template with { Kind = EventKind.Funding, Price = rate, Aux = predicted });
        }

        return FrameOutcome.Decoded(ctx.Events - before);
    }
}
