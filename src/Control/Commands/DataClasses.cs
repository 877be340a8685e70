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

/// <summary>Flags over <see cref="DataClass"/>: bit i is data class i, named by <see cref="Core.DataClassText"/>.</summary>
public static class DataClassesText
{
    public static DataClasses Flag(this DataClass dataClass) => (DataClasses)(1 << (int)dataClass);

    public static bool TryParse(string name, out DataClasses flag)
    {
        flag = Core.DataClassText.TryParse(name, out var dc) ? dc.Flag() : DataClasses.None;
        return flag != DataClasses.None;
    }

    /// <summary>Names in a fixed order (trade, quote, mark, index, funding).</summary>
    public static string[] ToNames(this DataClasses classes) =>
        Core.DataClassText.All.Where(d => (classes & d.Flag()) != 0).Select(d => d.ToText()).ToArray();

    public static IReadOnlyList<string> AllNames => Core.DataClassText.AllNames;
}
