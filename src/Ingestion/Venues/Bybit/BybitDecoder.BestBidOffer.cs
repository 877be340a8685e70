namespace Cloudwall.Rx.Ingestion.Venues.Bybit;

/// <summary>
/// Bybit v5 <c>orderbook.1.{symbol}</c>, the level-1 book: one quote per message. The v5 docs (Orderbook; checked 2026-12-06)
/// say level-1 data of linear, inverse and spot "has snapshot message only", pushed every 10 ms on change and again after
/// 3 s without one (same <c>u</c>); a side with no order is an empty array. The docs' snapshot example (depth 50), cut to
/// its first level as depth 1 sends it, with the <c>cts</c> (matching-engine time, preferred over <c>ts</c>) of the current docs:
/// <code>
/// {"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":1671179923028,"data":{"s":"BTCUSDT","b":[["17440.00","40.833"]],"a":[["17440.50","78.815"]],"u":13079592,"seq":22520573250},"cts":1671179923025}
/// </code>
/// A <c>delta</c> (documented for deeper books only) is applied to the last level-1 state: a size of 0 clears that side.
/// Deeper books (<c>orderbook.50</c> and up) stay ignored as book updates.
/// </summary>
public sealed partial class BybitDecoder
{
    private FrameOutcome BestBidOffer(ReadOnlySpan<byte> data, ref Envelope env, ref Context ctx)
    {
        var reader = new FrameJsonReader(data, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return FrameOutcome.Rejected(FrameReason.Malformed);
        }

        var f = default(Fields);
        ReadOnlySpan<byte> bid = default, bidSize = default, ask = default, askSize = default;
        bool hasBid = false, hasAsk = false;
        var nameBuffer = _names.AsSpan();
        var scratch = _scratch.AsSpan();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonValues.PropertyName(ref reader, nameBuffer);
            var side = name.Length == 1 ? name[0] : (byte)0;
            reader.Read();
            if (side is (byte)'b' or (byte)'a' && reader.TokenType == JsonTokenType.StartArray)
            {
                if (!TryTopLevel(ref reader, scratch, ref ctx.ScratchUsed, out var price, out var size, out var present))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                if (side == (byte)'b')
                {
                    bid = price;
                    bidSize = size;
                    hasBid = present;
                }
                else
                {
                    ask = price;
                    askSize = size;
                    hasAsk = present;
                }
            }
            else if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number &&
                     (name.SequenceEqual("s"u8) || name.SequenceEqual("seq"u8)))
            {
                if (!JsonValues.TryCapture(ref reader, scratch, ref ctx.ScratchUsed, out var value))
                {
                    return FrameOutcome.Rejected(FrameReason.Malformed);
                }

                f.Set(name.Length == 1 ? Field.Symbol : Field.Seq, value);
            }
            else
            {
                reader.Skip();
            }
        }

        if (!TryInstrument(ref f, ref ctx, out var instrument, out var failure))
        {
            return failure;
        }

        var time = env.Cts.IsEmpty ? env.Ts : env.Cts;
        if (time.IsEmpty)
        {
            return FrameOutcome.Rejected(FrameReason.MissingField);
        }

        if (!VenueTime.TryParseMillis(time, out var ts))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidTimestamp);
        }

        var delta = env.Type.SequenceEqual("delta"u8);
        var bbo = default(Bbo);
        if (delta)
        {
            _bbo.TryGetValue(instrument.Value, out bbo);
        }

        // A snapshot sets both sides (an empty one clears it); a delta changes only the sides it carries a level for.
        if (((hasBid || !delta) && !TryLevel(bid, bidSize, out bbo.Bid, out bbo.BidSize)) ||
            ((hasAsk || !delta) && !TryLevel(ask, askSize, out bbo.Ask, out bbo.AskSize)))
        {
            return FrameOutcome.Rejected(FrameReason.InvalidPrice);
        }

        _bbo[instrument.Value] = bbo;
        if (bbo.Bid <= 0 && bbo.Ask <= 0)
        {
            return FrameOutcome.Ignored(FrameReason.Unsupported); // an empty book: nothing to quote
        }

        VenueInteger.TryParse(f.Seq, out var seq);
        ctx.Add(Template(instrument, ts, ctx.ReceiveTimeNs, seq) with
        {
            Kind = EventKind.Quote, Price = bbo.Bid, Size = bbo.BidSize, Aux = bbo.Ask, AuxSize = bbo.AskSize,
        });
        return FrameOutcome.Decoded(1);

        // An empty level (no order on that side, or a delta's size 0) clears the side.
        static bool TryLevel(ReadOnlySpan<byte> priceText, ReadOnlySpan<byte> sizeText, out decimal price, out decimal size)
        {
            price = 0;
            size = 0;
            if (priceText.IsEmpty)
            {
                return true;
            }

            if (!VenueDecimal.TryParse(priceText, out var p) || p <= 0 || !VenueDecimal.TryParse(sizeText, out var s) || s < 0)
            {
                return false;
            }

            if (s > 0)
            {
                (price, size) = (p, s);
            }

            return true;
        }
    }

    /// <summary>Reads a side's <c>[[price, size], ...]</c> (the reader on its StartArray), keeping the first level.</summary>
    private static bool TryTopLevel(scoped ref FrameJsonReader reader, Span<byte> scratch, scoped ref int used,
        out ReadOnlySpan<byte> price, out ReadOnlySpan<byte> size, out bool present)
    {
        price = default;
        size = default;
        present = false;
        var first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            if (!first)
            {
                reader.Skip();
                continue;
            }

            first = false;
            present = true;
            if (!reader.Read() || reader.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref reader, scratch, ref used, out price) ||
                !reader.Read() || reader.TokenType != JsonTokenType.String || !JsonValues.TryCapture(ref reader, scratch, ref used, out size))
            {
                return false;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                reader.Skip();
            }
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }
}
