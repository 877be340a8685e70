using System.Globalization;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>One reading of a process's CPU and memory from Linux <c>/proc</c>.</summary>
/// <param name="CpuSeconds">User plus system CPU time (utime + stime) so far.</param>
/// <param name="RssBytes">Resident set now (<c>VmRSS</c>).</param>
/// <param name="PeakRssBytes">Highest resident set so far (<c>VmHWM</c>).</param>
public readonly record struct ProcSample(double CpuSeconds, long RssBytes, long PeakRssBytes);

/// <summary>
/// Reads <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c>: another process's CPU without asking it, the way
/// <c>top</c> does. Linux only; the parsers are pure so the formats are tested without a process.
/// </summary>
public static class ProcStat
{
    /// <summary>USER_HZ: the unit of utime and stime. 100 on every Linux architecture .NET runs on (sysconf(_SC_CLK_TCK)).</summary>
    public const double ClockTicksPerSecond = 100;

    public static ProcSample Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        if (!TryParseCpuTicks(stat, out var utime, out var stime))
        {
            throw new FormatException($"/proc/{pid}/stat has no utime and stime: '{stat}'");
        }

        var (rss, hwm) = ParseStatusMemory(File.ReadAllText($"/proc/{pid}/status"));
        return new ProcSample((utime + stime) / ClockTicksPerSecond, rss, hwm);
    }

    /// <summary>
    /// utime and stime (fields 14 and 15, in clock ticks) of a <c>/proc/&lt;pid&gt;/stat</c> line. The command name (field 2)
    /// is in parentheses and may hold spaces and parentheses itself, so fields are counted from the last ')'.
    /// </summary>
    public static bool TryParseCpuTicks(string stat, out long utime, out long stime)
    {
        utime = stime = 0;
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        // After the name: field 3 (state) onwards, so utime (14) and stime (15) are the 12th and 13th.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 13
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out utime)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out stime);
    }

    /// <summary><c>VmRSS</c> and <c>VmHWM</c> of a <c>/proc/&lt;pid&gt;/status</c> text, in bytes (0 when absent).</summary>
    public static (long RssBytes, long PeakRssBytes) ParseStatusMemory(string status)
    {
        long rss = 0, hwm = 0;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line) * 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kilobytes(line) * 1024;
        }

        return (rss, hwm);
    }

    /// <summary>
    /// The whole machine's busy and total CPU time so far, in seconds, from the first line of <c>/proc/stat</c>: every core,
    /// every process, this harness and anything else running included.
    /// </summary>
    public static (double BusySeconds, double TotalSeconds) ReadMachine() => ParseMachine(File.ReadAllText("/proc/stat"));

    /// <summary>
    /// The "cpu" line of <c>/proc/stat</c> (user nice system idle iowait irq softirq steal ..., in clock ticks): busy is
    /// everything but idle and iowait; guest time is already inside user and nice, so it is not added again.
    /// </summary>
    public static (double BusySeconds, double TotalSeconds) ParseMachine(string stat)
    {
        var line = stat.Split('\n', 2)[0];
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5 || fields[0] != "cpu")
        {
            throw new FormatException($"/proc/stat does not start with the cpu line: '{line}'");
        }

        long busy = 0, total = 0;
        for (var i = 1; i < Math.Min(fields.Length, 9); i++)
        {
            var ticks = long.Parse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture);
            total += ticks;
            if (i is not 4 and not 5) busy += ticks;
        }

        return (busy / ClockTicksPerSecond, total / ClockTicksPerSecond);
    }

    // "VmRSS:	  123456 kB"
    private static long Kilobytes(string line)
    {
        var parts = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
    }
}
