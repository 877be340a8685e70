using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;
using Cloudwall.Rx.Quality.Scorecard;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>What a fault does to one series in one second.</summary>
internal readonly record struct Tweak(bool Silent = false, double PriceFactor = 1, double RateFactor = 1, double ExtraLatencySeconds = 0,
    bool Frozen = false, double ClockOffsetSeconds = 0, double LastEventEarlierSeconds = 0)
{
    public static readonly Tweak None = new(Silent: false); // not new(): that would zero the factors
}

/// <summary>Collects notifications in order.</summary>
internal sealed class RecordingNotifier : IAlertNotifier
{
    public List<AlertNotification> All { get; } = new();

    public void Notify(AlertNotification notification) => All.Add(notification);

    public List<AlertNotification> Firing(string detector) => All.FindAll(n => n.Detector == detector && n.Status == AlertStatus.Firing);

    public List<AlertNotification> Resolved(string detector) => All.FindAll(n => n.Detector == detector && n.Status == AlertStatus.Resolved);
}

/// <summary>
/// A seeded synthetic market on virtual time: an aggregator provider on three venues (four spot instruments, trades and
/// quotes) plus two direct providers (trades). Every virtual second the clock advances (the monitor's timer evaluates,
/// a quarter second past the boundary) and then each series' window for the second just ended is delivered — with no
/// data while a fault silences it, as the pipeline's accumulator emits them. Each window carries the time of its newest
/// event (20 ms before its end), its price changes (none while frozen) and the venue's clock offset.
/// </summary>
internal sealed class SyntheticMarket : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly string[] InstrumentKeys = ["", "BTC-USD.SPOT", "ETH-USD.SPOT", "SOL-USD.SPOT", "XRP-USD.SPOT"];
    private static readonly decimal[] StartPrices = [0m, 60_000m, 3_000m, 150m, 0.6m];

    private readonly Random _random = new(42);
    private readonly decimal[] _fair = (decimal[])StartPrices.Clone();
    private readonly Dictionary<SeriesKey, (long LastEventNs, decimal Price)> _last = new();

    /// <param name="directVenues">Venues with a direct provider of their own beside the aggregator (default Coinbase and Kraken).</param>
    public SyntheticMarket(QualityOptions? options = null, bool scorecard = false, VenueId[]? directVenues = null)
    {
        Options = options ?? new QualityOptions();
        Notifier = new RecordingNotifier();
        Alerts = new AlertManager(Options.Alerts, Notifier, InstrumentName);
        Monitor = new QualityMonitor(Options, Alerts, Time, InstrumentName) { Scorecard = scorecard ? new ScorecardAggregator(Time, Alerts) : null };
        Monitor.Start();
        foreach (var venue in new[] { VenueId.Coinbase, VenueId.Kraken, VenueId.Binance })
        {
            for (var i = 1; i <= 4; i++)
            {
                Series.Add(new SeriesKey(ProviderId.Aggregator, venue, new InstrumentId(i), DataClass.Trade, MarketType.Spot));
                Series.Add(new SeriesKey(ProviderId.Aggregator, venue, new InstrumentId(i), DataClass.Quote, MarketType.Spot));
            }
        }

        foreach (var venue in directVenues ?? [VenueId.Coinbase, VenueId.Kraken])
        {
            for (var i = 1; i <= 4; i++) Series.Add(new SeriesKey(ProviderId.Direct(venue), venue, new InstrumentId(i), DataClass.Trade, MarketType.Spot));
        }
    }

    public FakeTimeProvider Time { get; } = new(Start);
    public QualityOptions Options { get; }
    public RecordingNotifier Notifier { get; }
    public AlertManager Alerts { get; }
    public QualityMonitor Monitor { get; }
    public List<SeriesKey> Series { get; } = new();

    /// <summary>Seconds of virtual time since <see cref="Start"/>.</summary>
    public int Second { get; private set; }

    public Func<SeriesKey, int, Tweak>? Fault { get; set; }

    /// <summary>A steady trend applied to every fair price each second (0.0002 = +2 bp a second), on top of the noise.</summary>
    public double DriftPerSecond { get; set; }

    /// <summary>Width of the uniform noise on the fair price each second and on each window's price (2 bp by default; 0 = a flat market).</summary>
    public double Noise { get; set; } = 2e-4;

    public long NowNs => UnixTime.FromDateTime(Time.GetUtcNow().UtcDateTime);

    public static string InstrumentName(InstrumentId id) => id.Value > 0 && id.Value < InstrumentKeys.Length ? InstrumentKeys[id.Value] : id.ToString();

    /// <summary>Seconds since <see cref="Start"/> of a notification.</summary>
    public static double SecondOf(AlertNotification n) => (n.AtNs - UnixTime.FromDateTime(Start.UtcDateTime)) / 1e9;

    public void Run(int seconds)
    {
        for (var s = 0; s < seconds; s++) Step();
    }

    private void Step()
    {
        // The monitor evaluates a quarter second past each boundary, on the windows delivered at the boundary.
        Time.Advance(TimeSpan.FromMilliseconds(250));
        Time.Advance(TimeSpan.FromMilliseconds(750));
        Second++;
        var end = NowNs;
        var start = end - UnixTime.NanosPerSecond;
        for (var i = 1; i < _fair.Length; i++) _fair[i] *= 1m + (decimal)((_random.NextDouble() - 0.5) * Noise + DriftPerSecond);
        foreach (var key in Series)
        {
            var tweak = Fault?.Invoke(key, Second) ?? Tweak.None;
            var noise = _random.NextDouble();
            var fair = _fair[key.Instrument.Value];
            var clock = new ClockOffset(tweak.ClockOffsetSeconds + 0.001 * noise, 1024);
            _last.TryGetValue(key, out var last);
            if (tweak.Silent)
            {
                Monitor.OnWindow(new SeriesWindow(key, start, end, 0, last.Price, null, default, default, 0, 0, last.LastEventNs, 1, fair, clock,
                    last.LastEventNs, 0));
                continue;
            }

            var price = tweak.Frozen && last.Price > 0 ? last.Price : fair * (1m + (decimal)((noise - 0.5) * Noise)) * (decimal)tweak.PriceFactor;
            var count = (long)Math.Round((18 + _random.Next(5)) * tweak.RateFactor);
            var p99 = 0.05 + 0.01 * noise + tweak.ExtraLatencySeconds;
            var latency = new LatencyStats(0.01, p99 / 2, p99 * 1.2, p99, count);
            var lastEvent = count > 0 ? end - 20_000_000 - (long)(tweak.LastEventEarlierSeconds * 1e9) : last.LastEventNs;
            var changes = count == 0 || (tweak.Frozen && last.Price > 0) ? 0 : Math.Max(1, count / 2);
            _last[key] = (lastEvent, price);
            Monitor.OnWindow(new SeriesWindow(key, start, end, count, price, count > 0 ? price : null, latency,
                new LatencyStats(0.0001, 0.0002, 0.001, 0.0009, count), 0, 0, end - 20_000_000, 1, fair, clock, lastEvent, changes));
        }
    }

    public void Dispose() => Monitor.Dispose();
}
