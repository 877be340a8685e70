using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Quality.Stats;
using Prometheus;

namespace Cloudwall.Rx.Quality.Metrics;

/// <summary>
/// Exports series windows as Prometheus metrics into a registry the caller owns (the one <c>/metrics</c> serves).
/// Labelled children are created once per series and cached; cardinality is capped by
/// <see cref="QualityMetricsOptions.MaxSeries"/> and the optional instrument allow-list, and what the cap drops is
/// counted. Thread-safe: partitions deliver windows concurrently, and the message age is computed right before each
/// scrape from the newest exchange time, so it keeps growing while a series is silent.
/// </summary>
/// <remarks>
/// A series whose subscriptions were removed keeps sending empty windows with no subscription. Once it has had none and
/// no data for <see cref="QualityMetricsOptions.SeriesGracePeriod"/> (on the exporter's clock), its children are removed
/// before the next scrape, and an idle window never creates a series again. A series that never reported a subscription
/// (a source that cannot tell, such as the aggregator) is never removed by this rule: its silence is a no-data signal.
/// </remarks>
public sealed class SeriesMetricsExporter : ISeriesWindowSink
{
    private readonly Lock _gate = new();
    private readonly QualityMetricsOptions _options;
    private readonly HashSet<string> _allowed;
    private readonly Func<InstrumentId, string> _instrumentKey;
    private readonly TimeProvider _time;
    private readonly Dictionary<SeriesKey, Children> _series = [];
    // Rejected series are remembered with the counter of their reason, so the allow-list and cap are decided once per
    // series; the accumulators' own series caps bound this dictionary.
    private readonly Dictionary<SeriesKey, Counter.Child> _rejected = [];
    private readonly Dictionary<(InstrumentId, MarketType), Gauge.Child> _fair = [];
    private readonly Dictionary<(ProviderId, VenueId), Gauge.Child> _clocks = [];
    private readonly Counter _messages;
    private readonly Gauge _age;
    private readonly Histogram _latency;
    private readonly Gauge _latencyP99;
    private readonly Histogram _publishLatency;
    private readonly Gauge _publishLatencyP99;
    private readonly Gauge _updateRate;
    private readonly Gauge _priceRatio;
    private readonly Counter _gaps;
    private readonly Counter _missing;
    private readonly Gauge _subscriptions;
    private readonly Gauge _lastPrice;
    private readonly Gauge _fairPrice;
    private readonly Gauge _clockOffset;
    private readonly Counter.Child _cappedBySize;
    private readonly Counter.Child _cappedByAllowList;
    private readonly Gauge _exported;

    public SeriesMetricsExporter(CollectorRegistry registry, QualityMetricsOptions options, Func<InstrumentId, string> instrumentKey,
        TimeProvider? time = null)
    {
        OptionsCheck.ThrowIfInvalid(options);
        _options = options;
        _allowed = new HashSet<string>(options.Instruments, StringComparer.Ordinal);
        _instrumentKey = instrumentKey;
        _time = time ?? TimeProvider.System;
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        var labels = MetricNames.SeriesLabels;
        _messages = f.CreateCounter(MetricNames.Messages, "Events per series (provider, venue, instrument, data class, market), added once per statistics window.", labels);
        _age = f.CreateGauge(MetricNames.MessageAge,
            "Seconds from the series' newest exchange timestamp, bounded by its receive time (receive time when the venue sends none), " +
            "to the scrape; never negative.", labels);
        _latency = f.CreateHistogram(MetricNames.Latency,
            "Exchange-to-receive latency. Not per message: each statistics window is observed once as its mean latency with a weight of its " +
            "sample count, so _sum and _count are exact while buckets place window means; the per-window p99 is cloudwall_md_latency_p99_seconds.",
            new HistogramConfiguration { LabelNames = labels, Buckets = MetricNames.LatencyBuckets });
        _latencyP99 = f.CreateGauge(MetricNames.LatencyP99,
            "Exchange-to-receive latency p99 of the last statistics window (log-linear histogram, within 6.25 %); NaN when the window had no sample.", labels);
        _publishLatency = f.CreateHistogram(MetricNames.PublishLatency,
            "Receive-to-publish latency inside the platform. Each statistics window is observed once as its mean latency weighted by its sample count " +
            "(_sum and _count exact, buckets place window means); the per-window p99 is cloudwall_md_publish_latency_p99_seconds.",
            new HistogramConfiguration { LabelNames = labels, Buckets = MetricNames.LatencyBuckets });
        _publishLatencyP99 = f.CreateGauge(MetricNames.PublishLatencyP99,
            "Receive-to-publish latency p99 of the last statistics window (within 6.25 %); NaN when the window had no sample.", labels);
        _updateRate = f.CreateGauge(MetricNames.UpdateRate, "Events per second of the series over the last statistics window.", labels);
        _priceRatio = f.CreateGauge(MetricNames.PriceRatio,
            "The series' last price over the instrument's fair price at window end (1 = agrees); absent until both are known.", labels);
        _gaps = f.CreateCounter(MetricNames.SequenceGaps, "Breaks in the venue's sequence numbers for the series.", labels);
        _missing = f.CreateCounter(MetricNames.MissingSequences, "Sequence numbers that never arrived for the series.", labels);
        _subscriptions = f.CreateGauge(MetricNames.ActiveSubscriptions, "Active subscriptions reported for the series at window end.", labels);
        _lastPrice = f.CreateGauge(MetricNames.LastPrice, "Last price of the series (a view; exact decimals are on Kafka).", labels);
        _fairPrice = f.CreateGauge(MetricNames.FairPrice, "Fair price of the instrument at window end (a view; exact decimals are on Kafka).",
            MetricNames.InstrumentLabels);
        _clockOffset = f.CreateGauge(MetricNames.ClockOffset,
            "The venue's clock minus ours (positive: the venue runs ahead), estimated per provider and venue as minus the 5th percentile of " +
            "receive - exchange time over recent events; an honest clock reads a few ms below 0 (its minimum latency).", MetricNames.SourceLabels);
        var capped = f.CreateCounter(MetricNames.SeriesCapped,
            "Series windows not exported because of the cardinality cap (reason=max_series, Quality:Metrics:MaxSeries) or the instrument " +
            "allow-list (reason=not_allowed, Quality:Metrics:Instruments). Each series sends one window per interval, so the rate is about the number of series dropped.",
            "reason");
        _cappedBySize = capped.WithLabels("max_series");
        _cappedByAllowList = capped.WithLabels("not_allowed");
        _exported = f.CreateGauge(MetricNames.SeriesExported, "Series currently exported (bounded by Quality:Metrics:MaxSeries).");
        registry.AddBeforeCollectCallback(RefreshAges);
    }

    /// <summary>Series currently exported.</summary>
    public int ExportedSeries
    {
        get
        {
            lock (_gate)
            {
                return _series.Count;
            }
        }
    }

    /// <summary>Empty, unsubscribed and without gaps: says nothing a series needs to be created for.</summary>
    private static bool IsIdle(SeriesWindow w) => w.Count == 0 && w.ActiveSubscriptions == 0 && w.SequenceGaps == 0 && w.MissingSequences == 0;

    public void OnWindows(IReadOnlyList<SeriesWindow> windows)
    {
        lock (_gate)
        {
            for (var i = 0; i < windows.Count; i++)
            {
                Observe(windows[i]);
            }
        }
    }

    /// <summary>Sets an instrument's fair price directly (for fair prices that arrive outside series windows).</summary>
    public void OnFairPrice(InstrumentId instrument, MarketType market, decimal price)
    {
        lock (_gate)
        {
            FairChild(instrument, market).Set((double)price);
        }
    }

    private void Observe(SeriesWindow w)
    {
        if (w.ClockOffset is { } offset)
        {
            // Per provider × venue, so outside the series cap (bounded by the number of sources).
            ClockChild(w.Key.Provider, w.Key.Venue).Set(offset.Seconds);
        }

        var c = ChildrenOf(w);
        if (c is null)
        {
            return;
        }

        TrackSubscription(c, w);

        var seconds = (w.WindowEndNs - w.WindowStartNs) / 1e9;
        c.Messages.Inc(w.Count);
        c.UpdateRate.Set(seconds > 0 ? w.Count / seconds : 0);
        c.LastExchangeTimeNs = Math.Max(c.LastExchangeTimeNs, w.LastExchangeTimeNs);
        ObserveLatency(c.Latency, c.LatencyP99, w.ExchangeToReceive);
        ObserveLatency(c.PublishLatency, c.PublishLatencyP99, w.ReceiveToPublish);
        if (w.SequenceGaps > 0)
        {
            c.Gaps.Inc(w.SequenceGaps);
        }

        if (w.MissingSequences > 0)
        {
            c.Missing.Inc(w.MissingSequences);
        }

        c.Subscriptions.Set(w.ActiveSubscriptions);
        if (w.LastPrice is { } last)
        {
            c.LastPrice.Set((double)last);
        }

        if (w.FairPrice is { } fair)
        {
            FairChild(w.Key.Instrument, w.Key.Market).Set((double)fair);
            if (w.LastPrice is { } price && fair > 0m && w.Key.DataClass.IsPrice())
            {
                // The ratio in decimal first: the double conversion happens once, on a number near 1.
                c.PriceRatio.Set((double)(price / fair));
            }
        }
    }

    /// <summary>Starts the grace period at the first window with neither subscriptions nor data, once subscribed; anything else ends it.</summary>
    private void TrackSubscription(Children c, SeriesWindow w)
    {
        if (w.ActiveSubscriptions > 0)
        {
            c.Subscribed = true;
            c.UnsubscribedSince = null;
        }
        else if (w.Count > 0)
        {
            c.UnsubscribedSince = null;
        }
        else if (c.Subscribed)
        {
            c.UnsubscribedSince ??= _time.GetUtcNow();
        }
    }

    /// <summary>Removes the series unsubscribed for longer than the grace period (under the lock).</summary>
    private void RemoveUnsubscribed(DateTimeOffset now)
    {
        List<SeriesKey>? expired = null;
        foreach (var (key, c) in _series)
        {
            if (c.UnsubscribedSince is { } since && now - since >= _options.SeriesGracePeriod)
            {
                (expired ??= []).Add(key);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var key in expired)
        {
            _series.Remove(key, out var c);
            c!.Remove();
            if (!_series.Keys.Any(k => k.Instrument == key.Instrument && k.Market == key.Market) && _fair.Remove((key.Instrument, key.Market), out var fair))
            {
                fair.Remove();
            }
        }

        _exported.Set(_series.Count);
    }

    private static void ObserveLatency(Histogram.Child histogram, Gauge.Child p99, in LatencyStats stats)
    {
        if (stats.Samples > 0)
        {
            histogram.Observe(stats.MeanSeconds, stats.Samples);
            p99.Set(stats.P99Seconds);
        }
        else
        {
            p99.Set(double.NaN);
        }
    }

    private Children? ChildrenOf(SeriesWindow w)
    {
        var key = w.Key;
        if (_series.TryGetValue(key, out var cached))
        {
            return cached;
        }

        if (_rejected.TryGetValue(key, out var reason))
        {
            reason.Inc();
            return null;
        }

        if (IsIdle(w))
        {
            return null; // e.g. a series removed after its unsubscribe: it comes back with data or a subscription
        }

        var instrument = _instrumentKey(key.Instrument);
        var notAllowed = _allowed.Count > 0 && !_allowed.Contains(instrument);
        if (notAllowed || _series.Count >= _options.MaxSeries)
        {
            reason = notAllowed ? _cappedByAllowList : _cappedBySize;
            _rejected.Add(key, reason);
            reason.Inc();
            return null;
        }

        string[] values = [key.Provider.Name, key.Venue.Name, instrument, key.DataClass.ToText(), key.Market.ToText()];
        var created = new Children
        {
            Messages = _messages.WithLabels(values),
            Age = _age.WithLabels(values),
            Latency = _latency.WithLabels(values),
            LatencyP99 = _latencyP99.WithLabels(values),
            PublishLatency = _publishLatency.WithLabels(values),
            PublishLatencyP99 = _publishLatencyP99.WithLabels(values),
            UpdateRate = _updateRate.WithLabels(values),
            PriceRatio = _priceRatio.WithLabels(values),
            Gaps = _gaps.WithLabels(values),
            Missing = _missing.WithLabels(values),
            Subscriptions = _subscriptions.WithLabels(values),
            LastPrice = _lastPrice.WithLabels(values),
        };
        _series.Add(key, created);
        _exported.Set(_series.Count);
        return created;
    }

    private Gauge.Child FairChild(InstrumentId instrument, MarketType market)
    {
        if (!_fair.TryGetValue((instrument, market), out var child))
        {
            child = _fairPrice.WithLabels(_instrumentKey(instrument), market.ToText());
            _fair.Add((instrument, market), child);
        }

        return child;
    }

    private Gauge.Child ClockChild(ProviderId provider, VenueId venue)
    {
        if (!_clocks.TryGetValue((provider, venue), out var child))
        {
            child = _clockOffset.WithLabels(provider.Name, venue.Name);
            _clocks.Add((provider, venue), child);
        }

        return child;
    }

    private void RefreshAges()
    {
        var now = UnixTime.FromTimeProvider(_time);
        lock (_gate)
        {
            RemoveUnsubscribed(_time.GetUtcNow());
            foreach (var c in _series.Values)
            {
                if (c.LastExchangeTimeNs > 0)
                {
                    // Never negative: a negative age would also hide the series from absent()-style no-data rules.
                    c.Age.Set(Math.Max(0, now - c.LastExchangeTimeNs) / 1e9);
                }
            }
        }
    }

    private sealed class Children
    {
        public required Counter.Child Messages { get; init; }
        public required Gauge.Child Age { get; init; }
        public required Histogram.Child Latency { get; init; }
        public required Gauge.Child LatencyP99 { get; init; }
        public required Histogram.Child PublishLatency { get; init; }
        public required Gauge.Child PublishLatencyP99 { get; init; }
        public required Gauge.Child UpdateRate { get; init; }
        public required Gauge.Child PriceRatio { get; init; }
        public required Counter.Child Gaps { get; init; }
        public required Counter.Child Missing { get; init; }
        public required Gauge.Child Subscriptions { get; init; }
        public required Gauge.Child LastPrice { get; init; }
        public long LastExchangeTimeNs { get; set; }

        /// <summary>Whether any window reported a subscription: only then does "none" mean unsubscribed.</summary>
        public bool Subscribed { get; set; }

        /// <summary>When the series last went without subscriptions and data (exporter clock); null while it has either.</summary>
        public DateTimeOffset? UnsubscribedSince { get; set; }

        /// <summary>Removes every child of the series from the registry (no longer exported, measurements discarded).</summary>
        public void Remove()
        {
            Messages.Remove();
            Age.Remove();
            Latency.Remove();
            LatencyP99.Remove();
            PublishLatency.Remove();
            PublishLatencyP99.Remove();
            UpdateRate.Remove();
            PriceRatio.Remove();
            Gaps.Remove();
            Missing.Remove();
            Subscriptions.Remove();
            LastPrice.Remove();
        }
    }
}
