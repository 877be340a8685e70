using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Ingestion.Venues.Okx;

namespace Cloudwall.Rx.Ingestion.Recorded;

/// <summary>
/// The decoders a recorded feed can be replayed through, by venue name (<see cref="VenueId.Name"/>). A new venue adds one
/// entry to <see cref="Factories"/>: its factory installs the venue's symbol rule and returns a fresh decoder.
/// </summary>
public static class ReplayVenues
{
    private static readonly FrozenDictionary<string, Func<ReferenceData, IFrameDecoder>> Factories =
        new Dictionary<string, Func<ReferenceData, IFrameDecoder>>(StringComparer.OrdinalIgnoreCase)
        {
            [VenueId.Coinbase.Name] = static refData =>
            {
                CoinbaseSymbols.Register(refData);
                return new CoinbaseExchangeDecoder(refData);
            },
            [VenueId.Binance.Name] = static refData => Binance(refData, BinanceMarket.Spot),
            [VenueId.BinanceUsdm.Name] = static refData => Binance(refData, BinanceMarket.UsdM),
            [VenueId.BinanceCoinm.Name] = static refData => Binance(refData, BinanceMarket.CoinM),
            [VenueId.BinanceUs.Name] = static refData => Binance(refData, BinanceMarket.Us),
            // Kraken spot WebSocket v1 (the recordings); v2 is the live default and replays files in its own format.
            [VenueId.Kraken.Name] = static refData =>
            {
                KrakenSymbols.Register(refData);
                return new KrakenV1Decoder(refData);
            },
            ["kraken-v2"] = static refData =>
            {
                KrakenSymbols.Register(refData);
                return new KrakenV2Decoder(refData);
            },
            [VenueId.KrakenFutures.Name] = static refData =>
            {
                KrakenSymbols.RegisterFutures(refData);
                return new KrakenFuturesDecoder(refData);
            },
            [VenueId.Okx.Name] = static refData =>
            {
                OkxSymbols.Register(refData);
                return new OkxDecoder(refData);
            },

            // No category: recordings do not say which endpoint a frame came from, so v5 and legacy frames alike are placed
            // by settlement (USDT/USDC linear, the rest inverse).
            [VenueId.Bybit.Name] = static refData =>
            {
                BybitSymbols.Register(refData);
                return new BybitDecoder(refData);
            },
            [VenueId.Deribit.Name] = static refData =>
            {
                DeribitSymbols.Register(refData);
                return new DeribitDecoder(refData);
            },
            ["coinbase-advanced"] = static refData =>
            {
                CoinbaseSymbols.Register(refData);
                return new CoinbaseAdvancedDecoder(refData);
            },
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static BinanceDecoder Binance(ReferenceData refData, BinanceMarket market)
    {
        BinanceSymbols.Register(refData, market);
        return new BinanceDecoder(refData, market);
    }

    /// <summary>The venue names <see cref="TryCreate"/> knows, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Creates the decoder for <paramref name="venueName"/> (case-insensitive) and registers its symbols.</summary>
    public static bool TryCreate(string venueName, ReferenceData refData, [NotNullWhen(true)] out IFrameDecoder? decoder)
    {
        ArgumentNullException.ThrowIfNull(venueName);
        ArgumentNullException.ThrowIfNull(refData);
        if (Factories.TryGetValue(venueName, out var factory))
        {
            decoder = factory(refData);
            return true;
        }

        decoder = null;
        return false;
    }
}
