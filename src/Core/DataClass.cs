namespace Cloudwall.Rx.Core;

/// <summary>
/// What a series carries — the <c>data_class</c> label of metrics and alerts, and the data classes a control-plane
/// subscription names. One vocabulary for Core, Quality and Control; its text is part of the metric labels and the
/// command format.
/// </summary>
public enum DataClass : byte { Trade, Quote, Mark, Index, Funding }

/// <summary>The one mapping between event kinds, data classes and their text.</summary>
public static class DataClassText
{
    private static readonly string[] Names = ["trade", "quote", "mark", "index", "funding"];

    /// <summary>Every data class, in label order.</summary>
    public static IReadOnlyList<DataClass> All { get; } = [DataClass.Trade, DataClass.Quote, DataClass.Mark, DataClass.Index, DataClass.Funding];

    /// <summary>Every name, in label order (trade, quote, mark, index, funding).</summary>
    public static IReadOnlyList<string> AllNames { get; } = Names;

    public static string ToText(this DataClass dataClass) => (int)dataClass < Names.Length ? Names[(int)dataClass] : "unknown";

    public static bool TryParse(string? name, out DataClass dataClass)
    {
        var i = name is null ? -1 : Array.IndexOf(Names, name);
        dataClass = i < 0 ? default : (DataClass)i;
        return i >= 0;
    }

    /// <summary>The data class of an event kind; false for <see cref="EventKind.Unknown"/> (ticks and junk are no series).</summary>
    public static bool TryFromKind(EventKind kind, out DataClass dataClass)
    {
        dataClass = kind.ToDataClass();
        return kind is EventKind.Trade or EventKind.Quote or EventKind.Mark or EventKind.Index or EventKind.Funding;
    }

    /// <summary>The data class of an event kind (trade for anything that is not a quote, mark, index or funding).</summary>
    public static DataClass ToDataClass(this EventKind kind) => kind switch
    {
        EventKind.Quote => DataClass.Quote,
        EventKind.Mark => DataClass.Mark,
        EventKind.Index => DataClass.Index,
        EventKind.Funding => DataClass.Funding,
        _ => DataClass.Trade,
    };

    /// <summary>True when the series carries a price (funding carries a rate, which has no fair price to compare with).</summary>
    public static bool IsPrice(this DataClass dataClass) => dataClass != DataClass.Funding;
}
