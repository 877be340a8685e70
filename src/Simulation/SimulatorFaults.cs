namespace Cloudwall.Rx.Simulation;

/// <summary>
/// Faults a test or an operator switches on while a simulator runs. Every member is thread-safe; the simulator's
/// market loop reads the switches on each message. Instruments are the venue's own product ids (for example <c>BTC-USD</c>).
/// </summary>
public sealed class SimulatorFaults
{
    private readonly Lock _gate = new();
    private readonly InstrumentSet _silenced = new();
    private readonly InstrumentSet _quotesSilenced = new();
    private readonly InstrumentSet _duplicated = new();
    private readonly HashSet<string> _crossed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimQuote?> _frozen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _throttles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _sequenceSkips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _priceOffsets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _spikes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Withhold, int Lose)> _tradeDrops = new(StringComparer.Ordinal);
    private readonly Queue<int> _restFailures = new();
    private long _tradesWithheld;
    private long _tradesLost;
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
            _silenced.Add(instrument);
            Refresh();
        }
    }

    /// <summary>Ends <see cref="Silence"/> for one product, or for all when <paramref name="instrument"/> is null.</summary>
    public void Resume(string? instrument = null)
    {
        lock (_gate)
        {
            _silenced.Remove(instrument);
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

    /// <summary>
    /// Withholds the product's next <paramref name="count"/> trades from the live stream, as a lost range would be, while its
    /// REST API keeps serving them for back-fill, except the first <paramref name="unserved"/> of them, which the venue "no
    /// longer serves" (a partly fillable gap). A trade is the unit the venue's REST trade history lists (docs/backfill.md):
    /// each feed says which stream messages belong to it.
    /// </summary>
    public void DropTrades(string instrument, int count, int unserved = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(unserved);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unserved, count);
        lock (_gate)
        {
            var (withhold, lose) = _tradeDrops.GetValueOrDefault(instrument);
            _tradeDrops[instrument] = (withhold + count, lose + unserved);
            Refresh();
        }
    }

    /// <summary>
    /// The venue's REST API answers its next <paramref name="count"/> requests with HTTP <paramref name="status"/> (503, or 429
    /// with <c>Retry-After: 1</c>), before serving again: what a client's retries must get through.
    /// </summary>
    public void FailRest(int count, int status = 503)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _restFailures.Enqueue(status);
            }
        }
    }

    /// <summary>Takes the status of a pending <see cref="FailRest"/> failure, or null.</summary>
    internal int? TakeRestFailure()
    {
        lock (_gate)
        {
            return _restFailures.TryDequeue(out var status) ? status : null;
        }
    }

    /// <summary>Trades withheld from the live stream by <see cref="DropTrades"/> so far, REST-served or not.</summary>
    public long TradesWithheld => Interlocked.Read(ref _tradesWithheld);

    /// <summary>Of <see cref="TradesWithheld"/>, those the REST API does not serve either.</summary>
    public long TradesLost => Interlocked.Read(ref _tradesLost);

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

    /// <summary>
    /// Makes exchange timestamps run <paramref name="ahead"/> more ahead of the wall clock (cumulative): the inverse of
    /// <see cref="AddLatency"/>, which every feed already subtracts from its timestamps, so a negative lag is a clock ahead.
    /// </summary>
    public void ClockAhead(TimeSpan ahead) => AddLatency(-ahead);

    /// <summary>How far exchange timestamps currently lag; negative when the exchange clock runs ahead.</summary>
    public TimeSpan Latency => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));

    /// <summary>
    /// Trades and quotes keep coming at their rate with fresh times and ids, but the product's prices stay at the last
    /// ones it published before the freeze, while the shared market moves on for other venues.
    /// </summary>
    public void Freeze(string instrument)
    {
        lock (_gate)
        {
            _frozen.TryAdd(instrument, null); // the frozen quote is taken from the feed's next trade
            Refresh();
        }
    }

    /// <summary>Ends <see cref="Freeze"/> for one product, or for all when <paramref name="instrument"/> is null.</summary>
    public void Unfreeze(string? instrument = null)
    {
        lock (_gate)
        {
            if (instrument is null)
            {
                _frozen.Clear();
            }
            else
            {
                _frozen.Remove(instrument);
            }

            Refresh();
        }
    }

    /// <summary>Stops quotes (tickers, best bid and offer) for one product, or for all when null; trades carry on.</summary>
    public void SilenceQuotes(string? instrument = null)
    {
        lock (_gate)
        {
            _quotesSilenced.Add(instrument);
            Refresh();
        }
    }

    /// <summary>Ends <see cref="SilenceQuotes"/> for one product, or for all when <paramref name="instrument"/> is null.</summary>
    public void ResumeQuotes(string? instrument = null)
    {
        lock (_gate)
        {
            _quotesSilenced.Remove(instrument);
            Refresh();
        }
    }

    /// <summary>Publishes the product's quotes crossed (bid above ask) while <paramref name="on"/>.</summary>
    public void CrossQuotes(string instrument, bool on = true)
    {
        lock (_gate)
        {
            if (on)
            {
                _crossed.Add(instrument);
            }
            else
            {
                _crossed.Remove(instrument);
            }

            Refresh();
        }
    }

    /// <summary>
    /// Sends every trade message of one product (all when null) twice, with the same trade id and sequence, while
    /// <paramref name="on"/>.
    /// </summary>
    public void DuplicateTrades(string? instrument = null, bool on = true)
    {
        lock (_gate)
        {
            if (on)
            {
                _duplicated.Add(instrument);
            }
            else
            {
                _duplicated.Remove(instrument);
            }

            Refresh();
        }
    }

    /// <summary>
    /// Runs the product's trade rate at <paramref name="fraction"/> of normal (0.02 turns 10 trades a second into one
    /// every 5 s); 1 ends it.
    /// </summary>
    public void Throttle(string instrument, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fraction, 1.0);
        lock (_gate)
        {
            if (fraction == 1.0)
            {
                _throttles.Remove(instrument);
            }
            else
            {
                _throttles[instrument] = fraction;
            }

            Refresh();
        }
    }

    /// <summary>Switches every fault off.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _silenced.Clear();
            _quotesSilenced.Clear();
            _duplicated.Clear();
            _crossed.Clear();
            _frozen.Clear();
            _throttles.Clear();
            _sequenceSkips.Clear();
            _priceOffsets.Clear();
            _spikes.Clear();
            _tradeDrops.Clear();
            _restFailures.Clear();
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
            return _silenced.Contains(instrument);
        }
    }

    internal bool AreQuotesSilenced(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return false;
        }

        lock (_gate)
        {
            return _quotesSilenced.Contains(instrument);
        }
    }

    internal bool DuplicatesTrades(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return false;
        }

        lock (_gate)
        {
            return _duplicated.Contains(instrument);
        }
    }

    /// <summary>
    /// The number of trades due in a step of <paramref name="seconds"/> at <paramref name="tradesPerSecond"/> times any
    /// <see cref="Throttle"/>, carrying the fraction to the next step. Capped at one second's worth so a long pause does not
    /// flood the sockets. The one copy of this rule for every synthetic feed.
    /// </summary>
    internal int TradesDue(string instrument, double tradesPerSecond, double seconds, ref double carry)
    {
        var rate = tradesPerSecond * ThrottleOf(instrument);
        var owed = carry + rate * seconds;
        var n = (int)Math.Min(Math.Floor(owed), Math.Max(1, Math.Ceiling(rate)));
        carry = Math.Min(owed - n, 1.0);
        return n;
    }

    /// <summary>
    /// Applies <see cref="Freeze"/> and <see cref="CrossQuotes"/> to the quote a feed just computed for its next trade.
    /// <paramref name="previous"/> is what the product last published; the first call after a freeze keeps it as the frozen quote.
    /// </summary>
    internal SimQuote ShapeQuote(string instrument, in SimQuote previous, in SimQuote next)
    {
        if (!_anyInstrumentFault)
        {
            return next;
        }

        lock (_gate)
        {
            var q = next;
            if (_frozen.TryGetValue(instrument, out var frozen))
            {
                q = frozen ?? previous;
                _frozen[instrument] = q;
            }

            return _crossed.Contains(instrument) ? q with { Bid = q.Ask, Ask = q.Bid } : q;
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

    /// <summary>
    /// What happens to the product's next trade under <see cref="DropTrades"/>: <see cref="TradeDrop.None"/> (sent live),
    /// <see cref="TradeDrop.Withheld"/> (not sent live, served on REST) or <see cref="TradeDrop.Lost"/> (neither). Consumes one.
    /// </summary>
    internal TradeDrop TakeTradeDrop(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return TradeDrop.None;
        }

        lock (_gate)
        {
            if (!_tradeDrops.TryGetValue(instrument, out var d))
            {
                return TradeDrop.None;
            }

            var lost = d.Lose > 0;
            d = (d.Withhold - 1, lost ? d.Lose - 1 : 0);
            if (d.Withhold == 0)
            {
                _tradeDrops.Remove(instrument);
                Refresh();
            }
            else
            {
                _tradeDrops[instrument] = d;
            }

            Interlocked.Increment(ref _tradesWithheld);
            if (lost)
            {
                Interlocked.Increment(ref _tradesLost);
            }

            return lost ? TradeDrop.Lost : TradeDrop.Withheld;
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

    private double ThrottleOf(string instrument)
    {
        if (!_anyInstrumentFault)
        {
            return 1.0;
        }

        lock (_gate)
        {
            return _throttles.GetValueOrDefault(instrument, 1.0);
        }
    }

    private void Refresh() =>
        _anyInstrumentFault = _silenced.Any || _quotesSilenced.Any || _duplicated.Any || _crossed.Count > 0 || _frozen.Count > 0
            || _throttles.Count > 0 || _sequenceSkips.Count > 0 || _priceOffsets.Count > 0 || _spikes.Count > 0
            || _tradeDrops.Count > 0;

    /// <summary>Products a per-product switch is on for, or all of them. Guarded by the faults' gate.</summary>
    private sealed class InstrumentSet
    {
        private readonly HashSet<string> _some = new(StringComparer.Ordinal);
        private bool _all;

        public bool Any => _all || _some.Count > 0;

        public void Add(string? instrument)
        {
            if (instrument is null)
            {
                _all = true;
            }
            else
            {
                _some.Add(instrument);
            }
        }

        /// <summary>Null switches off every product, including the "all" switch.</summary>
        public void Remove(string? instrument)
        {
            if (instrument is null)
            {
                Clear();
            }
            else
            {
                _some.Remove(instrument);
            }
        }

        public bool Contains(string instrument) => _all || _some.Contains(instrument);

        public void Clear()
        {
            _all = false;
            _some.Clear();
        }
    }
}

/// <summary>A product's best bid, best ask and trade price as a synthetic feed is about to publish them.</summary>
internal readonly record struct SimQuote(decimal Bid, decimal Ask, decimal Price);

/// <summary>What <see cref="SimulatorFaults.DropTrades"/> does to one trade.</summary>
public enum TradeDrop
{
    /// <summary>Sent live and kept for REST.</summary>
    None = 0,

    /// <summary>Not sent live; REST serves it.</summary>
    Withheld = 1,

    /// <summary>Not sent live, and REST does not serve it either.</summary>
    Lost = 2,
}
