using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>
/// A subscription of the aggregator provider as text: <c>exchange:class:code</c>, lower case, each part a value or <c>*</c>.
/// Examples: <c>cbse:spot:btc-usd</c>, <c>*:spot:*</c>, <c>binc:perpetual-future:btc-usdt</c>.
/// </summary>
public static class AggregatorCriteria
{
    public const string Wildcard = "*";

    /// <summary>Normalizes (trims, lower-cases) a criteria string, or returns false when it is not three non-empty parts.</summary>
    public static bool TryNormalize(string? text, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split(':');
        if (parts.Length != 3)
        {
            return false;
        }

        for (var i = 0; i < 3; i++)
        {
            parts[i] = parts[i].Trim().ToLowerInvariant();
            if (parts[i].Length == 0 || parts[i].Any(char.IsWhiteSpace))
            {
                return false;
            }
        }

        normalized = string.Join(':', parts);
        return true;
    }

    /// <summary>The wire criteria for a normalized string (see <see cref="TryNormalize"/>).</summary>
    public static InstrumentCriteria ToProto(string normalized)
    {
        var parts = normalized.Split(':');
        if (parts.Length != 3)
        {
            throw new FormatException($"'{normalized}' is not exchange:class:code");
        }

        return new InstrumentCriteria { Exchange = parts[0], InstrumentClass = parts[1], Code = parts[2] };
    }

    /// <summary>Whether a criteria field (a value or <c>*</c>) matches a value, case-insensitively.</summary>
    public static bool Matches(string pattern, string value) =>
        pattern == Wildcard || string.Equals(pattern, value, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether one criteria selects the instrument (exchange, class, code).</summary>
    public static bool Matches(InstrumentCriteria criteria, string exchange, string instrumentClass, string code) =>
        Matches(criteria.Exchange, exchange) && Matches(criteria.InstrumentClass, instrumentClass) && Matches(criteria.Code, code);
}
