namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>
/// A venue's data levels (<c>Providers:&lt;name&gt;:Level</c>, docs/venues.md "Data levels") as a list of (level, what to
/// subscribe), the default first: the one lookup every venue protocol uses to turn a configured level into its channels.
/// </summary>
public static class VenueLevels
{
    /// <summary>Every trade: the finest level.</summary>
    public const string Trades = "trades";

    /// <summary>Trades merged by the venue (one record per taker order and price).</summary>
    public const string Aggregated = "aggregated";

    /// <summary>Best bid and offer only.</summary>
    public const string Quotes = "quotes";

    /// <summary>A lower-rate channel.</summary>
    public const string Throttled = "throttled";

    /// <summary>1 s OHLCV/VWAP aggregates.</summary>
    public const string Bars = "bars";

    /// <summary>
    /// What <paramref name="level"/> subscribes (case-insensitive); null is the default, the first entry. A level the venue
    /// does not offer throws, naming the ones it does (configuration validation refuses it before this).
    /// </summary>
    public static T ChannelsOf<T>(IReadOnlyList<(string Level, T Channels)> levels, string? level, string venue)
    {
        if (level is null)
        {
            return levels[0].Channels;
        }

        foreach (var (name, channels) in levels)
        {
            if (string.Equals(name, level, StringComparison.OrdinalIgnoreCase))
            {
                return channels;
            }
        }

        throw new ArgumentException($"'{level}' is not a data level of {venue}; it offers {string.Join(", ", levels.Select(l => l.Level))}", nameof(level));
    }
}
