using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Hosting.Levels;

/// <summary>What <c>compare-levels</c> compares and the thresholds of its verdict.</summary>
/// <param name="Interval">Trades are bucketed by exchange time into intervals of this length.</param>
public sealed record LevelComparisonSettings(string LevelA, string LevelB, TimeSpan Duration, TimeSpan Interval, LevelThresholds Thresholds);

/// <summary>The verdict's limits: how far level B may stray from level A and still stand in for it.</summary>
/// <param name="MaxVwapBp">Largest |VWAP difference| over the compared intervals, in basis points.</param>
/// <param name="MaxVolumePct">Largest |volume difference| over the compared intervals, in percent of A's volume.</param>
/// <param name="MaxFairBp">Largest mean |fair-price difference| at the interval ends, in basis points.</param>
public sealed record LevelThresholds(double MaxVwapBp = LevelThresholds.DefaultMaxVwapBp, double MaxVolumePct = LevelThresholds.DefaultMaxVolumePct,
    double MaxFairBp = LevelThresholds.DefaultMaxFairBp)
{
    public const double DefaultMaxVwapBp = 1.0;
    public const double DefaultMaxVolumePct = 1.0;
    public const double DefaultMaxFairBp = 10.0;
}

/// <summary>
/// Runs one provider at two data levels side by side on the same instruments and measures what each costs (ingress bytes
/// and events per second) and what it loses (trade volume, VWAP, latency, the fair price it alone would feed). One
/// provider instance runs per (level, instrument), so each instance's ingress counters (<see cref="IngestionCounters.ReceivedBytes"/>)
/// are exactly that instrument's bytes at that level.
/// </summary>
public static class LevelComparison
{
    /// <param name="name">The provider's configured name (<c>Providers:&lt;name&gt;</c>).</param>
    /// <param name="endpoint">Where both levels connect: the provider's simulator, or a real venue.</param>
    public static async Task<LevelComparisonReport> RunAsync(string name, ProviderKind kind, ProviderOptions options, Uri? endpoint,
        LevelComparisonSettings settings, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var levelA = kind.Level(settings.LevelA) ?? throw new ArgumentException($"{settings.LevelA} is not a level of {kind.Name}", nameof(settings));
        var levelB = kind.Level(settings.LevelB) ?? throw new ArgumentException($"{settings.LevelB} is not a level of {kind.Name}", nameof(settings));
        var refData = new ReferenceData();
        kind.RegisterSymbols(refData);
        var sinks = new CountingSinks();
        var context = new ProviderContext(refData, sinks, sinks, time, loggers);
        var sides = new List<Side>();
        foreach (var symbol in options.Symbols)
        {
            foreach (var level in (ReadOnlySpan<ProviderLevel>)[levelA, levelB])
            {
                var o = options.WithSymbols([symbol]);
                o.Level = level.Name;
                sides.Add(new Side(level.Name, symbol, kind.Create(context, o, endpoint), settings.Interval, refData));
            }
        }

        var started = time.GetTimestamp();
        var startNs = UnixTime.FromTimeProvider(time);
        var subscriptions = sides.Select(s => s.Provider.Events.Subscribe(s)).ToList();
        try
        {
            await Task.Delay(settings.Duration, time, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: report what was measured so far.
        }
        finally
        {
            foreach (var s in subscriptions)
            {
                s.Dispose();
            }
        }

        var elapsed = time.GetElapsedTime(started);
        var endNs = UnixTime.FromTimeProvider(time);
        var instruments = options.Symbols
            .Select(symbol => Compare(symbol, sides.Single(s => s.Symbol == symbol && s.Level == levelA.Name),
                sides.Single(s => s.Symbol == symbol && s.Level == levelB.Name), settings, elapsed, endNs, refData))
            .ToList();
        return new LevelComparisonReport
        {
            Provider = name,
            Kind = kind.Name,
            Endpoint = endpoint?.ToString(),
            LevelA = levelA.Name,
            LevelB = levelB.Name,
            StartedAt = UnixTime.ToDateTime(startNs),
            DurationSeconds = elapsed.TotalSeconds,
            IntervalSeconds = settings.Interval.TotalSeconds,
            Thresholds = new ThresholdsReport(settings.Thresholds.MaxVwapBp, settings.Thresholds.MaxVolumePct, settings.Thresholds.MaxFairBp),
            A = Totals(levelA, instruments.Select(i => i.A), elapsed),
            B = Totals(levelB, instruments.Select(i => i.B), elapsed),
            Instruments = instruments,
            DeadLetters = sinks.DeadLetters,
            SequenceGaps = sinks.Gaps,
            Pass = instruments.All(i => i.Pass),
        };
    }

    private static InstrumentComparison Compare(string symbol, Side a, Side b, LevelComparisonSettings settings, TimeSpan elapsed, long endNs, ReferenceData refData)
    {
        lock (a)
        lock (b)
        {
            var interval = settings.Interval.Ticks * 100;
            // Compared: whole intervals after both levels were receiving, ending one interval before the stop (late frames).
            var first = Math.Max(a.FirstBucket, b.FirstBucket) + 1;
            var last = (endNs - interval) / interval - 1;
            var rows = new List<IntervalComparison>();
            decimal? fairA = null, fairB = null;
            var fairDiffs = new List<double>();
            for (var k = first; k <= last; k++)
            {
                var ta = a.Buckets.GetValueOrDefault(k);
                var tb = b.Buckets.GetValueOrDefault(k);
                fairA = a.Fair.GetValueOrDefault(k) ?? fairA;
                fairB = b.Fair.GetValueOrDefault(k) ?? fairB;
                var fairBp = fairA is { } fa && fairB is { } fb ? Bp(fb - fa, (fa + fb) / 2) : null;
                if (fairBp is { } f) fairDiffs.Add(Math.Abs(f));
                rows.Add(new IntervalComparison(UnixTime.ToDateTime(k * interval), Of(ta), Of(tb),
                    VolumePct(ta, tb), VwapBp(ta, tb), fairA, fairB, fairBp));
            }

            var sumA = Sum(a, first, last);
            var sumB = Sum(b, first, last);
            var volumePct = VolumePct(sumA, sumB);
            var vwapBp = VwapBp(sumA, sumB);
            double? fairMean = fairDiffs.Count > 0 ? fairDiffs.Average() : null;
            var reasons = new List<string>();
            if (sumA.Trades > 0 && sumB.Trades > 0)
            {
                if (Math.Abs(vwapBp!.Value) > settings.Thresholds.MaxVwapBp) reasons.Add($"VWAP differs by {vwapBp:0.###} bp (max {settings.Thresholds.MaxVwapBp})");
                if (Math.Abs(volumePct!.Value) > settings.Thresholds.MaxVolumePct) reasons.Add($"volume differs by {volumePct:0.###} % (max {settings.Thresholds.MaxVolumePct})");
            }
            else if (sumA.Trades > 0 || sumB.Trades > 0)
            {
                reasons.Add($"{(sumA.Trades > 0 ? "B" : "A")} carries no trades: volume and VWAP not compared"); // a note, not a failure
            }

            var failed = reasons.Count(r => !r.Contains("not compared", StringComparison.Ordinal));
            if (fairMean is { } fm && fm > settings.Thresholds.MaxFairBp) { reasons.Add($"fair price differs by {fm:0.###} bp on average (max {settings.Thresholds.MaxFairBp})"); failed++; }
            if (fairMean is null && a.FairPrices == 0 && b.FairPrices == 0)
            {
                // Neither level prices this instrument (an option: the engine prices them from neither trades nor mids).
                reasons.Add("neither level gives a fair price: fair price not compared");
            }
            else if (fairMean is null)
            {
                reasons.Add($"no fair price from {(a.FairPrices == 0 ? "A" : b.FairPrices == 0 ? "B" : "both levels")} in a compared interval");
                failed++;
            }
            foreach (var error in (ReadOnlySpan<string?>)[a.Error, b.Error])
            {
                if (error is not null) { reasons.Add(error); failed++; }
            }

            if (rows.Count == 0) { reasons.Add("no whole interval was received at both levels: run longer (--for) or shorten --interval"); failed++; }

            var key = (a.Instrument ?? b.Instrument) is { } id ? refData.KeyOf(id) : null;
            return new InstrumentComparison
            {
                Symbol = symbol,
                Instrument = key,
                A = a.Report(elapsed, sumA),
                B = b.Report(elapsed, sumB),
                ComparedIntervals = rows.Count,
                ByteSavingPct = a.Provider.Counters.ReceivedBytes > 0
                    ? 100.0 * (a.Provider.Counters.ReceivedBytes - b.Provider.Counters.ReceivedBytes) / a.Provider.Counters.ReceivedBytes
                    : null,
                VolumeDiffPct = volumePct,
                VwapDiffBp = vwapBp,
                LatencyDiffMs = a.MeanLatencyMs is { } la && b.MeanLatencyMs is { } lb ? lb - la : null,
                FairDiffBp = fairMean,
                Pass = failed == 0,
                Notes = reasons,
                Intervals = rows,
            };
        }
    }

    private static LevelTotals Totals(ProviderLevel level, IEnumerable<LevelReport> reports, TimeSpan elapsed)
    {
        var list = reports.ToList();
        var bytes = list.Sum(r => r.IngressBytes);
        var events = list.Sum(r => r.Events);
        return new LevelTotals(level.Name, level.Carries, level.Loses, bytes, list.Sum(r => r.IngressFrames), bytes / elapsed.TotalSeconds, events,
            events / elapsed.TotalSeconds);
    }

    private static TradeSum Sum(Side side, long first, long last)
    {
        var sum = default(TradeSum);
        foreach (var (k, t) in side.Buckets)
        {
            if (k >= first && k <= last) sum = sum.Add(t);
        }

        return sum;
    }

    private static TradeStats Of(TradeSum t) => new(t.Trades, t.Volume, t.Vwap);

    private static double? VolumePct(TradeSum a, TradeSum b) => a.Volume > 0 && b.Trades > 0 ? (double)((b.Volume - a.Volume) / a.Volume) * 100.0 : null;

    private static double? VwapBp(TradeSum a, TradeSum b) => a.Vwap is { } va && b.Vwap is { } vb ? Bp(vb - va, va) : null;

    private static double? Bp(decimal difference, decimal reference) => reference > 0 ? (double)(difference / reference) * 10_000.0 : null;

    /// <summary>Trades of one interval at one level: count, base volume and notional.</summary>
    internal readonly record struct TradeSum(long Trades, decimal Volume, decimal Notional)
    {
        public decimal? Vwap => Volume > 0 ? Notional / Volume : null;

        public TradeSum Add(TradeSum o) => new(Trades + o.Trades, Volume + o.Volume, Notional + o.Notional);
    }

    /// <summary>One provider instance: one level of one instrument, with its own fair-price engine (this level alone feeding it).</summary>
    private sealed class Side(string level, string symbol, IMarketDataProvider provider, TimeSpan interval, ReferenceData refData) : IObserver<MarketEvent>
    {
        private readonly long _intervalNs = interval.Ticks * 100;
        private readonly FairPriceEngine _engine = new(refData: refData);
        private long _latencyNs;
        private long _latencyCount;

        public string Level { get; } = level;
        public string Symbol { get; } = symbol;
        public IMarketDataProvider Provider { get; } = provider;
        public long Events { get; private set; }
        public InstrumentId? Instrument { get; private set; }
        public long FirstBucket { get; private set; } = long.MaxValue - 1;
        public Dictionary<long, TradeSum> Buckets { get; } = [];

        /// <summary>The last trade-based fair price computed in each interval (by receive time).</summary>
        public Dictionary<long, decimal?> Fair { get; } = [];

        public long FairPrices { get; private set; }

        public double? MeanLatencyMs => _latencyCount > 0 ? _latencyNs / (double)_latencyCount / 1e6 : null;

        public void OnNext(MarketEvent e)
        {
            // One lock per side: a USDⓈ-M side has two connections (routes) that may call at once.
            lock (this)
            {
                if (e.IsHistory)
                {
                    return;
                }

                Events++;
                Instrument ??= e.Instrument;
                if (e.ExchangeTimeNs > 0 && e.ReceiveTimeNs >= e.ExchangeTimeNs)
                {
                    _latencyNs += e.ReceiveTimeNs - e.ExchangeTimeNs;
                    _latencyCount++;
                }

                var at = e.ExchangeTimeNs > 0 ? e.ExchangeTimeNs : e.ReceiveTimeNs;
                FirstBucket = Math.Min(FirstBucket, at / _intervalNs);
                if (e.Kind == EventKind.Trade)
                {
                    var k = at / _intervalNs;
                    Buckets[k] = Buckets.GetValueOrDefault(k).Add(new TradeSum(1, e.Size, e.Size * e.Price));
                }

                if (_engine.OnEvent(e, e.ReceiveTimeNs, out var price) && price.Method == FairPriceMethod.TradeBased)
                {
                    Fair[e.ReceiveTimeNs / _intervalNs] = price.Price;
                    FairPrices++;
                }
            }
        }

        /// <summary>Why this side's stream ended early, if it did (providers never end on bad data; this is a fault).</summary>
        public string? Error { get; private set; }

        public void OnError(Exception error)
        {
            lock (this)
            {
                Error = $"{Level} stream failed: {error.GetType().Name}: {error.Message}";
            }
        }

        public void OnCompleted()
        {
        }

        public LevelReport Report(TimeSpan elapsed, TradeSum compared) => new()
        {
            Level = Level,
            IngressBytes = Provider.Counters.ReceivedBytes,
            IngressFrames = Provider.Counters.ReceivedFrames,
            BytesPerSecond = Provider.Counters.ReceivedBytes / elapsed.TotalSeconds,
            Events = Events,
            EventsPerSecond = Events / elapsed.TotalSeconds,
            Trades = compared.Trades,
            Volume = compared.Volume,
            Vwap = compared.Vwap,
            MeanLatencyMs = MeanLatencyMs,
            FairPrices = FairPrices,
        };
    }

    private sealed class CountingSinks : IDeadLetterSink, ISequenceGapSink
    {
        private long _deadLetters;
        private long _gaps;

        public long DeadLetters => Interlocked.Read(ref _deadLetters);
        public long Gaps => Interlocked.Read(ref _gaps);

        public void OnDeadLetter(DeadLetter letter) => Interlocked.Increment(ref _deadLetters);

        public void OnSequenceGap(SequenceGap gap) => Interlocked.Increment(ref _gaps);
    }
}
