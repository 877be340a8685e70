namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// The beats of one running loop, one slot per thread of it (a pipeline partition, a consumer loop). Each beat is a
/// timestamp of the host's <see cref="TimeProvider"/>; the liveness check reads the oldest slot.
/// </summary>
public sealed class LoopHeartbeat
{
    private readonly long[] _beats;
    private readonly TimeProvider _time;

    internal LoopHeartbeat(string name, int slots, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Name = name;
        _time = time;
        _beats = new long[slots];
        Array.Fill(_beats, time.GetTimestamp());
    }

    public string Name { get; }

    /// <summary>Called by the loop on every turn (cheap: one timestamp, one write).</summary>
    public void Beat(int slot = 0) => Volatile.Write(ref _beats[slot], _time.GetTimestamp());

    /// <summary>How long the slowest slot has gone without a beat.</summary>
    public TimeSpan Silence()
    {
        var oldest = long.MaxValue;
        for (var i = 0; i < _beats.Length; i++)
        {
            oldest = Math.Min(oldest, Volatile.Read(ref _beats[i]));
        }

        return _time.GetElapsedTime(oldest);
    }
}

/// <summary>Every loop of this process that reports beats; <c>/healthz</c> is live while none has gone silent.</summary>
public sealed class LoopHeartbeats(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<LoopHeartbeat> _loops = [];

    /// <summary>A loop starts reporting (its slots count as beaten now); a loop that stops calls <see cref="Remove"/>.</summary>
    public LoopHeartbeat Register(string name, int slots = 1)
    {
        var beat = new LoopHeartbeat(name, slots, time);
        lock (_gate)
        {
            _loops.Add(beat);
        }

        return beat;
    }

    public void Remove(LoopHeartbeat beat)
    {
        lock (_gate)
        {
            _loops.Remove(beat);
        }
    }

    /// <summary>The running loops and how long each has been silent.</summary>
    public IReadOnlyList<(string Name, TimeSpan Silence)> Read()
    {
        lock (_gate)
        {
            return [.. _loops.Select(l => (l.Name, l.Silence()))];
        }
    }
}
