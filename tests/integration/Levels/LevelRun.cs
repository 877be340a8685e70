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
/// One provider kind at one data level (<c>Providers:&lt;name&gt;:Level</c>), as the platform builds it: the catalog's
/// simulator and the catalog's real connector, configured with the level, collecting what the connector emits. Waits are
/// bounded by a deadline and wake on each event (no fixed sleeps); a simulator on a <see cref="FakeTimeProvider"/> is
/// advanced while waiting instead, so a venue's slow channels (a 5 s batch) arrive in a fraction of that.
/// </summary>
internal sealed class LevelRun : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Simulated time per wait step when the simulator runs on a fake clock: five times real time at 20 ms steps.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentQueue<MarketEvent> _events = new();
    private readonly ConcurrentQueue<string> _deadLetters = new();
    private IDisposable? _subscription;
    private bool _ownsSimulator = true;
    private TaskCompletionSource _changed = NewSignal();
    private Exception? _error;
    private FakeTimeProvider? _simClock;

    private LevelRun(string kind, ReferenceData refData)
    {
        Kind = kind;
        RefData = refData;
    }

    public string Kind { get; }

    public ReferenceData RefData { get; }

    public IVenueSimulator Simulator { get; private set; } = null!;

    public IMarketDataProvider Provider { get; private set; } = null!;

    public IReadOnlyCollection<string> DeadLetters => _deadLetters;

    public MarketEvent[] Events => [.. _events];

    /// <param name="symbols">The configured symbols; the kind's defaults when null.</param>
    /// <param name="simulator">Another run's simulator to connect to (it stays that run's to dispose); null starts the kind's own.</param>
    /// <param name="simClock">The simulator's clock, advanced by the waits; null: the system clock.</param>
    public static async Task<LevelRun> StartAsync(string kind, string? level, IReadOnlyList<string>? symbols = null, IVenueSimulator? simulator = null,
        FakeTimeProvider? simClock = null)
    {
        Assert.True(ProviderCatalog.TryGet(kind, out var k));
        var options = new ProviderOptions
        {
            Type = kind, Level = level, Symbols = [.. symbols ?? k.DefaultSymbols], ApiToken = ProvidersOptions.SimulatorToken,
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
        };
        Assert.Empty(options.Errors("Providers:" + kind));
        var run = new LevelRun(kind, new ReferenceData()) { _simClock = simClock };
        k.RegisterSymbols(run.RefData);
        var sinks = new Sinks(run._deadLetters);
        var simulation = new SimulationOptions { TradesPerSecond = 20 };
        run._ownsSimulator = simulator is null;
        run.Simulator = simulator ?? await k.Simulate(new SimulatorContext(new SyntheticMarket(simulation.Seed), simulation, simClock ?? TimeProvider.System,
            NullLoggerFactory.Instance), options, CancellationToken.None);
        run.Provider = k.Create(new ProviderContext(run.RefData, sinks, sinks, TimeProvider.System, NullLoggerFactory.Instance), options,
            run.Simulator.Endpoint);
        run._subscription = run.Provider.Events.Subscribe(run.OnEvent, run.OnError);
        return run;
    }

    public int Count(EventKind kind) => _events.Count(e => e.Kind == kind);

    public int Count(string key, EventKind kind) => _events.Count(e => e.Kind == kind && RefData.KeyOf(e.Instrument) == key);

    /// <summary>The simulator's view of what the connector subscribed, over every connection.</summary>
    public string[] Subscribed => [.. Simulator.Stats.Connections.SelectMany(c => c.Subscriptions).Order(StringComparer.Ordinal)];

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking on each event; fails with <paramref name="what"/> at the deadline.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            Assert.Null(_error);
            var changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            try
            {
                if (_simClock is { } clock)
                {
                    // The next events wait on simulated time: move it on, then look again.
                    clock.Advance(Step);
                    await Task.WhenAny(changed, Task.Delay(20, deadline.Token));
                    deadline.Token.ThrowIfCancellationRequested();
                }
                else
                {
                    await changed.WaitAsync(deadline.Token);
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{Kind}: timed out after {Deadline.TotalSeconds} s waiting for {what}; {_events.Count} events " +
                    $"({string.Join(", ", _events.GroupBy(e => e.Kind).Select(g => $"{g.Key} {g.Count()}"))}), dead letters: " +
                    string.Join(" | ", _deadLetters.Take(3)));
            }
        }
    }

    /// <summary>The events so far, replayed in order through a fresh fair-price engine (each at its receive time): what it priced.</summary>
    public List<FairPrice> FairPrices()
    {
        var engine = new FairPriceEngine(refData: RefData);
        var prices = new List<FairPrice>();
        foreach (var e in _events)
        {
            if (engine.OnEvent(e, e.ReceiveTimeNs, out var price))
            {
                prices.Add(price);
            }
        }

        return prices;
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
        _subscription?.Dispose();
        if (Provider is IDisposable disposable)
        {
            disposable.Dispose();
        }
        else if (Provider is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }

        if (_ownsSimulator)
        {
            await Simulator.DisposeAsync();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnEvent(MarketEvent e)
    {
        _events.Enqueue(e);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private void OnError(Exception ex)
    {
        _error = ex;
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private sealed class Sinks(ConcurrentQueue<string> letters) : IDeadLetterSink, ISequenceGapSink
    {
        public void OnDeadLetter(DeadLetter letter) => letters.Enqueue(letter.ToString());

        public void OnSequenceGap(SequenceGap gap)
        {
        }
    }
}
