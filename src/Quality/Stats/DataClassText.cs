using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Stats;

/// <summary>The one mapping between event kinds, data classes and their label text.</summary>
public static class DataClassText
{
    /// <summary>The data class of an event kind; false for <see cref="EventKind.Unknown"/> (ticks and junk are no series).</summary>
    public static bool TryFromKind(EventKind kind, out DataClass dataClass)
    {
        dataClass = kind switch
        {
            EventKind.Trade => DataClass.Trade,
            EventKind.Quote => DataClass.Quote,
            EventKind.Mark => DataClass.Mark,
            EventKind.Index => DataClass.Index,
            EventKind.Funding => DataClass.Funding,
            _ => DataClass.Trade,
        };
        return kind is EventKind.Trade or EventKind.Quote or EventKind.Mark or EventKind.Index or EventKind.Funding;
    }

    public static string ToText(this DataClass dataClass) => dataClass switch
    {
        DataClass.Trade => "trade",
        DataClass.Quote => "quote",
        DataClass.Mark => "mark",
        DataClass.Index => "index",
        DataClass.Funding => "funding",
        _ => "unknown",
    };

    /// <summary>True when the series carries a price (funding carries a rate, which has no fair price to compare with).</summary>
    public static bool IsPrice(this DataClass dataClass) => dataClass != DataClass.Funding;
}
