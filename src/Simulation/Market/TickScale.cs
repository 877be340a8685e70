using System.Globalization;

namespace Cloudwall.Rx.Simulation.Market;

/// <summary>The decimal places a tick size really has (0.010 has two): the scale venues print their prices with.</summary>
public static class TickScale
{
    public static int Of(decimal tick) => tick.Scale - TrailingZeros(tick);

    private static int TrailingZeros(decimal d)
    {
        var s = d.ToString(CultureInfo.InvariantCulture);
        if (!s.Contains('.', StringComparison.Ordinal))
        {
            return 0;
        }

        var n = 0;
        for (var i = s.Length - 1; s[i] == '0'; i--)
        {
            n++;
        }

        return n;
    }
}
