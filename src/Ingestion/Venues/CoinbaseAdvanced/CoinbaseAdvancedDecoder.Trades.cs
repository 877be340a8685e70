namespace Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;

/// <summary>
/// Coinbase Advanced Trade <c>market_trades</c>: every trade of every event; a <c>snapshot</c> event is history, emitted oldest
/// first and flagged; <c>side</c> is the maker's. No recording exists for Advanced Trade; the documentation's example
/// (https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels#market-trades-channel, checked 2026-12-06):
/// <code>
/// {"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":0,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000","product_id":"ETH-USD","price":"1260.01","size":"0.3","side":"BUY","time":"2019-08-14T20:42:27.265Z"}]}]}
/// </code>
/// </summary>
public sealed partial class CoinbaseAdvancedDecoder
{
    private FrameOutcome Trades(ReadOnlySpan<byte> events, long receiveTimeNs, EventBuffer output)
    {
        var reader = new FrameJsonReader(events, ReaderOptions);
        reader.Read(); // [
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return FrameOutcome.Rejected(FrameReason.Malformed);
            }

            // An event's "type" is "snapshot" (recent history sent on subscribe) or "update" (live), before or after its trades.
            var eventStart = output.Count;
            var snapshot = false;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = JsonValues.PropertyName(ref reader, _names);
                var isTrades = name.SequenceEqual("trades"u8);
                reader.Read();
                if (!isTrades && reader.TokenType == JsonTokenType.String && name.SequenceEqual("type"u8))
                {
                    snapshot = reader.ValueTextEquals("snapshot"u8);
                    continue;
                }

                if (!isTrades || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                var reason = DecodeRecords(ref reader, trades: true, 0, receiveTimeNs, output, ref count);
                if (reason != FrameReason.None)
                {
                    return FrameOutcome.Rejected(reason);
                }
            }

            if (snapshot)
            {
                // The venue lists a snapshot newest first; emitted oldest first, flagged as history.
                output.MarkSnapshot(eventStart);
            }
        }

        return count == 0 ? FrameOutcome.Ignored(FrameReason.Unsupported) : FrameOutcome.Decoded(count);
    }

    private FrameReason Trade(ref FrameJsonReader reader, long receiveTimeNs, EventBuffer output)
    {
        ReadOnlySpan<byte> tradeIdText = default, product = default, price = default, size = default, side = default, time = default;
        var used = 0;
        while (JsonValues.NextScalarField(ref reader, _names, out var name))
        {
            switch (name.Length)
            {
                case 4 when name.SequenceEqual("side"u8): side = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 4 when name.SequenceEqual("size"u8): size = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 4 when name.SequenceEqual("time"u8): time = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 5 when name.SequenceEqual("price"u8): price = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 8 when name.SequenceEqual("trade_id"u8): tradeIdText = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 10 when name.SequenceEqual("product_id"u8): product = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
            }
        }

        if (product.IsEmpty || price.IsEmpty || size.IsEmpty || time.IsEmpty || tradeIdText.IsEmpty)
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Coinbase, product, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        if (!VenueDecimal.TryParse(price, out var p) || p <= 0 || !VenueDecimal.TryParse(size, out var s) || s <= 0)
        {
            return FrameReason.InvalidPrice;
        }

        if (!VenueTime.TryParseIso(time, out var exchangeNs))
        {
            return FrameReason.InvalidTimestamp;
        }

        if (!TradeId.TryParseUtf8(tradeIdText, out var tradeId))
        {
            return FrameReason.Malformed;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Trade,
            Side = TakerSide(side),
            Instrument = instrument,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = p,
            Size = s,
            ExchangeTimeNs = exchangeNs,
            ReceiveTimeNs = receiveTimeNs,
            TradeId = tradeId,
        });
        return FrameReason.None;
    }

    /// <summary>The maker's side on the wire and on REST (<c>BUY</c>/<c>SELL</c>, any case), the taker's side in the event.</summary>
    internal static Side TakerSide(ReadOnlySpan<byte> makerSide) =>
        makerSide.Length == 4 && System.Text.Ascii.EqualsIgnoreCase(makerSide, "SELL"u8) ? Side.Buy
        : makerSide.Length == 3 && System.Text.Ascii.EqualsIgnoreCase(makerSide, "BUY"u8) ? Side.Sell
        : Side.Unknown;
}
