using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Integration.Levels;

/// <summary>
/// One provider kind at one data level (<c>Providers:&lt;name&gt;:Level</c>), wired as <c>run</c> wires it: the catalog's
/// simulator on loopback and the catalog's real connector pointed at it, collecting what the connector emits. Waits poll
/// the collected events against a deadline; a simulator on a <see cref="FakeTimeProvider"/> is advanced on every poll, so
/// a venue's slow channels (a 5 s batch) arrive in a fraction of that.
/// </summary>
internal sealed class LevelRun : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Simulated time per poll when the simulator runs on a fake clock: five times real time at 20 ms polls.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<MarketEvent> _events = new();
    private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();
    private readonly IVenueSimulator _simulator;
    private readonly IDisposable _subscription;
    private readonly FakeTimeProvider? _simClock;
    private Exception? _error;

    private LevelRun(IVenueSimulator simulator, IMarketDataProvider provider, ReferenceData refData, FakeTimeProvider? simClock)
    {
        _simulator = simulator;
        _simClock = simClock;
        Provider = provider;
        RefData = refData;
        _subscription = provider.Events.Subscribe(_events.Enqueue, ex => _error = ex);
    }

    public IMarketDataProvider Provider { get; }

    public ReferenceData RefData { get; }

    public IReadOnlyCollection<DeadLetter> DeadLetters => _deadLetters;

    public MarketEvent[] Events => [.. _events];

    /// <summary>
    /// Starts <paramref name="kind"/>'s simulator and its connector at <paramref name="level"/> (null: the default level)
    /// on <paramref name="symbols"/>. <paramref name="simClock"/>: the simulator's clock, advanced by the waits.
    /// </summary>
    public static async Task<LevelRun> StartAsync(string kind, string? level, IReadOnlyList<string> symbols, FakeTimeProvider? simClock = null)
    {
        Assert.True(ProviderCatalog.TryGet(kind, out var k));
        var options = new ProviderOptions { Type = kind, Symbols = [.. symbols], Level = level, ReconnectDelay = TimeSpan.FromMilliseconds(200) };
        Assert.Empty(options.Errors($"Providers:{kind}"));
        var refData = new ReferenceData();
        k.RegisterSymbols(refData);
        var simulation = new SimulationOptions { TradesPerSecond = 20 };
        var simulator = await k.Simulate(new SimulatorContext(new SyntheticMarket(simulation.Seed), simulation, simClock ?? TimeProvider.System,
            NullLoggerFactory.Instance), options, CancellationToken.None);
        var sinks = new Sinks();
        var provider = k.Create(new ProviderContext(refData, sinks, sinks, TimeProvider.System, NullLoggerFactory.Instance), options, simulator.Endpoint);
        var run = new LevelRun(simulator, provider, refData, simClock);
        sinks.DeadLetters = run._deadLetters;
        return run;
    }

    public int Count(EventKind kind) => _events.Count(e => e.Kind == kind);

    public int Count(string key, EventKind kind) => _events.Count(e => e.Kind == kind && RefData.KeyOf(e.Instrument) == key);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> at the deadline.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.Null(_error);
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {Deadline.TotalSeconds} s waiting for {what}; {_events.Count} events " +
                    $"({string.Join(", ", _events.GroupBy(e => e.Kind).Select(g => $"{g.Key} {g.Count()}"))}), dead letters: " +
                    string.Join(" | ", _deadLetters.Take(3)));
            }

            _simClock?.Advance(Step);
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// The fair price of <paramref name="key"/> from this run's events alone (one source, so <c>MinSources = 1</c>), as the
    /// pricing partitions compute it: what a level without trades still prices from (quote mids, weighted equally).
    /// </summary>
    public FairPrice? FairPriceOf(string key)
    {
        var engine = new FairPriceEngine(new PricingParametersSource(new PricingParameters
        {
            Spot = ClassParameters.SpotDefault with { MinSources = 1 },
            Perp = ClassParameters.DerivativeDefault with { MinSources = 1 },
        }), RefData);
        FairPrice? last = null;
        var now = 0L;
        foreach (var e in _events.Where(e => RefData.KeyOf(e.Instrument) == key))
        {
            now = Math.Max(now, e.ReceiveTimeNs);
            if (engine.OnEvent(e, now, out var fp))
            {
                last = fp;
            }
        }

        var output = new FairPrice[8];
        var n = engine.OnTick(now + UnixTime.NanosPerSecond, output);
        foreach (var fp in output.AsSpan(0, n))
        {
            if (RefData.KeyOf(fp.Instrument) == key && fp.Method == FairPriceMethod.TradeBased)
            {
                last = fp;
            }
        }

        return last;
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _simulator.DisposeAsync();
    }

    private sealed class Sinks : IDeadLetterSink, ISequenceGapSink
    {
        public ConcurrentQueue<DeadLetter>? DeadLetters { get; set; }

        public void OnDeadLetter(DeadLetter letter) => DeadLetters?.Enqueue(letter);

        public void OnSequenceGap(SequenceGap gap)
        {
        }
    }
}
