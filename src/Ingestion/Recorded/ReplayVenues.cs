using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;
using Cloudwall.Rx.Ingestion.Venues.Deribit;

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
