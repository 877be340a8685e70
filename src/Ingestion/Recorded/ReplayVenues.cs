using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
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
/// entry to <see cref="Factories"/>: its factory installs the venue's symbol rule and returns a fresh decoder. A factory also
/// gets the recording's endpoint (its latest connect line, null before any): where the endpoint decides the market (Bybit v5
/// categories, Binance's spot and futures hosts), the endpoint wins over the name, as it does for a live connection.
/// </summary>
public static class ReplayVenues
{
    private static readonly FrozenDictionary<string, Func<ReferenceData, Uri?, IFrameDecoder>> Factories =
        new Dictionary<string, Func<ReferenceData, Uri?, IFrameDecoder>>(StringComparer.OrdinalIgnoreCase)
        {
            [VenueId.Coinbase.Name] = static (refData, _) =>
            {
                CoinbaseSymbols.Register(refData);
                return new CoinbaseExchangeDecoder(refData);
            },
            [VenueId.Binance.Name] = static (refData, endpoint) => Binance(refData, endpoint, BinanceMarket.Spot),
            [VenueId.BinanceUsdm.Name] = static (refData, endpoint) => Binance(refData, endpoint, BinanceMarket.UsdM),
            [VenueId.BinanceCoinm.Name] = static (refData, endpoint) => Binance(refData, endpoint, BinanceMarket.CoinM),
            [VenueId.BinanceUs.Name] = static (refData, endpoint) => Binance(refData, endpoint, BinanceMarket.Us),
            // Kraken spot WebSocket v1 (the recordings); v2 is the live default and replays files in its own format.
            [VenueId.Kraken.Name] = static (refData, _) =>
            {
                KrakenSymbols.Register(refData);
                return new KrakenV1Decoder(refData);
            },
            ["kraken-v2"] = static (refData, _) =>
            {
                KrakenSymbols.Register(refData);
                return new KrakenV2Decoder(refData);
            },
            [VenueId.KrakenFutures.Name] = static (refData, _) =>
            {
                KrakenSymbols.RegisterFutures(refData);
                return new KrakenFuturesDecoder(refData);
            },
            [VenueId.Okx.Name] = static (refData, _) =>
            {
                OkxSymbols.Register(refData);
                return new OkxDecoder(refData);
            },

            // A v5 endpoint names the category (spot, linear, inverse). Without one (the legacy realtime endpoints, or no connect
            // line) frames are placed by settlement: USDT/USDC linear, the rest inverse.
            [VenueId.Bybit.Name] = static (refData, endpoint) =>
            {
                BybitSymbols.Register(refData);
                return new BybitDecoder(refData, BybitCategoryOf(endpoint));
            },
            [VenueId.Deribit.Name] = static (refData, _) =>
            {
                DeribitSymbols.Register(refData);
                return new DeribitDecoder(refData);
            },
            ["coinbase-advanced"] = static (refData, _) =>
            {
                CoinbaseSymbols.Register(refData);
                return new CoinbaseAdvancedDecoder(refData);
            },
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static BinanceDecoder Binance(ReferenceData refData, Uri? endpoint, BinanceMarket named)
    {
        var market = BinanceMarketOf(endpoint) ?? named;
        BinanceSymbols.Register(refData, market);
        return new BinanceDecoder(refData, market);
    }

    /// <summary>The Bybit v5 category whose endpoint path (<see cref="BybitProtocol.EndpointOf"/>) the recording connected to.</summary>
    public static BybitCategory? BybitCategoryOf(Uri? endpoint)
    {
        if (endpoint is null)
        {
            return null;
        }

        foreach (var category in Enum.GetValues<BybitCategory>())
        {
            if (string.Equals(BybitProtocol.EndpointOf(category).AbsolutePath, endpoint.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return category;
            }
        }

        return null;
    }

    /// <summary>The Binance market whose production host (<see cref="BinanceMarkets.ProductionBase"/>) the recording connected to.</summary>
    public static BinanceMarket? BinanceMarketOf(Uri? endpoint)
    {
        if (endpoint is null)
        {
            return null;
        }

        foreach (var market in Enum.GetValues<BinanceMarket>())
        {
            if (string.Equals(market.ProductionBase().Host, endpoint.Host, StringComparison.OrdinalIgnoreCase))
            {
                return market;
            }
        }

        return null;
    }

    /// <summary>The venue names <see cref="TryCreate"/> knows, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Creates the decoder for <paramref name="venueName"/> (case-insensitive) and registers its symbols, for a recording whose
    /// endpoint is unknown (the name alone decides the market).
    /// </summary>
    public static bool TryCreate(string venueName, ReferenceData refData, [NotNullWhen(true)] out IFrameDecoder? decoder)
    {
        if (TryGetFactory(venueName, refData, out var decoderFor))
        {
            decoder = decoderFor(null);
            return true;
        }

        decoder = null;
        return false;
    }

    /// <summary>
    /// The decoder factory of <paramref name="venueName"/> (case-insensitive): given a connection's endpoint (null when unknown),
    /// it registers the venue's symbols and returns a fresh decoder for the market that endpoint serves.
    /// </summary>
    public static bool TryGetFactory(string venueName, ReferenceData refData, [NotNullWhen(true)] out Func<Uri?, IFrameDecoder>? decoderFor)
    {
        ArgumentNullException.ThrowIfNull(venueName);
        ArgumentNullException.ThrowIfNull(refData);
        if (Factories.TryGetValue(venueName, out var factory))
        {
            decoderFor = endpoint => factory(refData, endpoint);
            return true;
        }

        decoderFor = null;
        return false;
    }
}
