namespace Cloudwall.Rx.Simulation;

/// <summary>
/// Faults a test or an operator switches on while a simulator runs. Every member is thread-safe; the simulator's
/// market loop reads the switches on each message. Instruments are the venue's own product ids (for example <c>BTC-USD</c>).
/// </summary>
public sealed class SimulatorFaults
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _silenced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sequenceSkips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _priceOffsets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _spikes = new(StringComparer.Ordinal);
    private bool _silenceAll;
    private long _latencyTicks;

    // Fast path: the market loop skips every lookup while nothing is switched on.
    private volatile bool _anyInstrumentFault;

    /// <summary>Raised by <see cref="DropConnections"/>; the simulator aborts its sockets.</summary>
    internal event Action? DropRequested;

    /// <summary>Raised by <see cref="SendMalformed"/> with the number of frames to send.</summary>
    internal event Action<int>? MalformedRequested;

    /// <summary>Stops all messages for one product, or for every product when <paramref name="instrument"/> is null.</summary>
    public void Silence(string? instrument = null)
    {
        lock (_gate)
        {
            if (instrument is null)
            {
                _silenceAll = true;
            }
            else
            {
                _silenced.Add(instrument);
            }

            Refresh();
        }
    }

    /// <summary>Ends <see cref="Silence"/> for one product, or for all when <paramref name="instrument"/> is null.</summary>
    public void Resume(string? instrument = null)
    {
        lock (_gate)
        {
            if (instrument is null)
            {
                _silenceAll = false;
                _silenced.Clear();
            }
            else
            {
                _silenced.Remove(instrument);
            }

            Refresh();
        }
    }

    /// <summary>Aborts every open client socket now, without a close handshake.</summary>
    public void DropConnections() => DropRequested?.Invoke();

    /// <summary>The product's next message skips <paramref name="count"/> sequence numbers (its sequence is the previous one plus 1 + count).</summary>
    public void SkipSequence(string instrument, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            _sequenceSkips[instrument] = _sequenceSkips.GetValueOrDefault(instrument) + count;
            Refresh();
        }
    }

    /// <summary>Sends <paramref name="count"/> broken JSON frames to every open connection.</summary>
    public void SendMalformed(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        MalformedRequested?.Invoke(count);
    }

    /// <summary>Moves the product's prices by <paramref name="fraction"/> (0.01 = +1 %) until set back to 0.</summary>
    public void PriceOffset(string instrument, decimal fraction)
    {
        lock (_gate)
        {
            if (fraction == 0m)
            {
                _priceOffsets.Remove(instrument);
            }
            else
            {
                _priceOffsets[instrument] = fraction;
            }

            Refresh();
        }
    }

    /// <summary>The product's next trade prints <paramref name="fraction"/> away from the market (one trade only).</summary>
    public void Spike(string instrument, decimal fraction)
    {
        lock (_gate)
        {
            _spikes[instrument] = fraction;
            Refresh();
        }
    }

    /// <summary>Makes exchange timestamps lag the wall clock by <paramref name="lag"/> more (cumulative).</summary>
    public void AddLatency(TimeSpan lag)
    {
        Interlocked.Add(ref _latencyTicks, lag.Ticks);
    }

    /// <summary>How far exchange timestamps currently lag.</summary>
    public TimeSpan Latency => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));

    /// <summary>Switches every fault off.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _silenceAll = false;
            _silenced.Clear();
            _sequenceSkips.Clear();
            _priceOffsets.Clear();
            _spikes.Clear();
            Interlocked.Exchange(ref _latencyTicks, 0);
            Refresh();
        }
    }

    internal bool IsSilenced(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return false;
        }

        lock (_gate)
        {
            return _silenceAll || _silenced.Contains(instrument);
        }
    }

    /// <summary>Takes the pending sequence skip for the product (0 when none).</summary>
    internal long TakeSequenceSkip(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return 0;
        }

        lock (_gate)
        {
            if (!_sequenceSkips.Remove(instrument, out var n))
            {
                return 0;
            }

            Refresh();
            return n;
        }
    }

    /// <summary>The factor to apply to a trade price: the persistent offset times a pending spike, which this call consumes.</summary>
    internal decimal TakeTradePriceFactor(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return 1m;
        }

        lock (_gate)
        {
            var factor = 1m + _priceOffsets.GetValueOrDefault(instrument);
            if (_spikes.Remove(instrument, out var spike))
            {
                factor *= 1m + spike;
                Refresh();
            }

            return factor;
        }
    }

    /// <summary>The persistent price factor only, for quotes (best bid and ask).</summary>
    internal decimal QuotePriceFactor(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return 1m;
        }

        lock (_gate)
        {
            return 1m + _priceOffsets.GetValueOrDefault(instrument);
        }
    }

    private void Refresh() =>
        _anyInstrumentFault = _silenceAll || _silenced.Count > 0 || _sequenceSkips.Count > 0 || _priceOffsets.Count > 0 || _spikes.Count > 0;
}
