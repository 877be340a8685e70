using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Quality.Scorecard;

/// <summary>
/// One configured provider's gap-fill since it started (docs/backfill.md): trades fetched back and lost for good, breaks by
/// how they ended, and the newest breaks. The same counts as <c>cloudwall_md_backfill_trades_total</c> and
/// <c>cloudwall_md_backfill_gaps_total</c>.
/// </summary>
/// <param name="UnknownMissing">Breaks with trades lost in a number the venue's ids cannot tell.</param>
public sealed record ProviderBackfill(
    [property: JsonPropertyName("filled")] long Filled,
    [property: JsonPropertyName("missing")] long Missing,
    [property: JsonPropertyName("breaks")] IReadOnlyDictionary<string, long> Breaks,
    [property: JsonPropertyName("breaks_with_unknown_missing")] long UnknownMissing,
    [property: JsonPropertyName("recent")] IReadOnlyList<BackfillBreak> Recent);

/// <summary>One break and how its fill ended.</summary>
public sealed record BackfillBreak(
    [property: JsonPropertyName("venue")] string Venue,
    [property: JsonPropertyName("instrument")] string Instrument,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("result")] string Result,
    [property: JsonPropertyName("filled")] long Filled,
    [property: JsonPropertyName("missing")] long? Missing,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("error")] string? Error);
