using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>The data classes a subscription carries, named in commands as in <see cref="EnumText.ToText(EventKind)"/>.</summary>
[Flags]
public enum DataClasses : byte
{
    None = 0,
    Trade = 1 << 0,
    Quote = 1 << 1,
    Mark = 1 << 2,
    Index = 1 << 3,
    Funding = 1 << 4,
    All = Trade | Quote | Mark | Index | Funding,
}

public static class DataClassText
{
    private static readonly (DataClasses Flag, string Name)[] Names =
    [
        (DataClasses.Trade, "trade"), (DataClasses.Quote, "quote"), (DataClasses.Mark, "mark"), (DataClasses.Index, "index"),
        (DataClasses.Funding, "funding"),
    ];

    public static bool TryParse(string name, out DataClasses flag)
    {
        foreach (var (f, n) in Names)
        {
            if (n == name)
            {
                flag = f;
                return true;
            }
        }

        flag = DataClasses.None;
        return false;
    }

    /// <summary>Names in a fixed order (trade, quote, mark, index, funding).</summary>
    public static string[] ToNames(this DataClasses classes) =>
        Names.Where(n => (classes & n.Flag) != 0).Select(n => n.Name).ToArray();

    public static IReadOnlyList<string> AllNames { get; } = Names.Select(n => n.Name).ToArray();
}
