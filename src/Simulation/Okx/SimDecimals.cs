namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>
/// Exact-decimal helpers the OKX and Bybit simulators share: prices rounded to a tick and printed with its decimals.
/// </summary>
internal static class SimDecimals
{
    /// <summary>Rounds to <paramref name="scale"/> decimals and pads with zeros, so the invariant format prints that many.</summary>
    public static decimal WithScale(decimal value, int scale) =>
        Math.Round(value, scale, MidpointRounding.ToEven) + new decimal(0, 0, 0, false, (byte)scale);

    /// <summary>Decimals of a tick such as 0.01 (2) or 0.5 (1).</summary>
    public static int ScaleOf(decimal tick)
    {
        var normalized = tick / 1.000000000000000000000000000000000m;
        return normalized.Scale;
    }

    public static decimal RoundToTick(decimal value, decimal tick) =>
        WithScale(Math.Max(tick, Math.Round(value / tick, 0, MidpointRounding.ToEven) * tick), ScaleOf(tick));

    public static decimal FloorToTick(decimal value, decimal tick) =>
        WithScale(Math.Max(tick, Math.Floor(value / tick) * tick), ScaleOf(tick));

    /// <summary>An exponential size with the given mean, 8 decimals, never zero.</summary>
    public static decimal Size(Random random, decimal mean) =>
        WithScale(Math.Max(0.00000001m, (decimal)(-Math.Log(1.0 - random.NextDouble())) * mean), 8);

    public static string Text(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
