namespace Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;

/// <summary>
/// Coinbase Advanced Trade <c>ticker</c>: each entry of <c>events[].tickers[]</c> is a quote, timed by the envelope's
/// <c>timestamp</c>. No recording exists for Advanced Trade; the documentation's example
/// (https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels#ticker-channel, checked 2026-12-06):
/// <code>
/// {"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.167359596Z","sequence_num":0,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"21932.98","volume_24_h":"16038.28770938","low_24_h":"21835.29","high_24_h":"23011.18","low_52_w":"15460","high_52_w":"48240","price_percent_chg_24_h":"-4.15775596190603","best_bid":"21931.98","best_bid_quantity":"8000.21","best_ask":"21933.98","best_ask_quantity":"8038.07770938"}]}]}
/// </code>
/// </summary>
public sealed partial class CoinbaseAdvancedDecoder
{
    private FrameOutcome Tickers(ReadOnlySpan<byte> events, long exchangeNs, long receiveTimeNs, EventBuffer output)
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

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var isTickers = JsonValues.PropertyName(ref reader, _names).SequenceEqual("tickers"u8);
                reader.Read();
                if (!isTickers || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                var reason = DecodeRecords(ref reader, trades: false, exchangeNs, receiveTimeNs, output, ref count);
                if (reason != FrameReason.None)
                {
                    return FrameOutcome.Rejected(reason);
                }
            }
        }

        return count == 0 ? FrameOutcome.Ignored(FrameReason.Unsupported) : FrameOutcome.Decoded(count);
    }

    private FrameReason Ticker(ref FrameJsonReader reader, long exchangeNs, long receiveTimeNs, EventBuffer output)
    {
        ReadOnlySpan<byte> product = default, bid = default, bidQty = default, ask = default, askQty = default;
        var used = 0;
        while (JsonValues.NextScalarField(ref reader, _names, out var name))
        {
            switch (name.Length)
            {
                case 8 when name.SequenceEqual("best_bid"u8): bid = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 8 when name.SequenceEqual("best_ask"u8): ask = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 10 when name.SequenceEqual("product_id"u8): product = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 17 when name.SequenceEqual("best_bid_quantity"u8): bidQty = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
                case 17 when name.SequenceEqual("best_ask_quantity"u8): askQty = JsonValues.CaptureOrInvalid(ref reader, _scratch, ref used); break;
            }
        }

        if (product.IsEmpty || bid.IsEmpty || ask.IsEmpty)
        {
            return FrameReason.MissingField;
        }

        if (!RefData.TryResolve(VenueId.Coinbase, product, out var instrument))
        {
            return FrameReason.UnknownSymbol;
        }

        decimal bidSize = 0, askSize = 0;
        if (!VenueDecimal.TryParse(bid, out var b) || b <= 0 || !VenueDecimal.TryParse(ask, out var a) || a <= 0 ||
            (!bidQty.IsEmpty && (!VenueDecimal.TryParse(bidQty, out bidSize) || bidSize < 0)) ||
            (!askQty.IsEmpty && (!VenueDecimal.TryParse(askQty, out askSize) || askSize < 0)))
        {
            return FrameReason.InvalidPrice;
        }

        output.Add(new MarketEvent
        {
            Kind = EventKind.Quote,
            Instrument = instrument,
            Venue = VenueId.Coinbase,
            Provider = ProviderId.Coinbase,
            Price = b,
            Size = bidSize,
            Aux = a,
            AuxSize = askSize,
            ExchangeTimeNs = exchangeNs,
            ReceiveTimeNs = receiveTimeNs,
        });
        return FrameReason.None;
    }
}
