using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Simulation.Aggregator;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Tests.Integration.Aggregator;

/// <summary>A simulator, a provider subscribed to it, and everything the provider hands out: events, dead letters, gaps, errors, logs.</summary>
internal sealed class AggregatorHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly Lock _gate = new();
    private readonly List<MarketEvent> _events = [];
    private IDisposable? _subscription;

    private AggregatorHarness(AggregatorSimulator sim, AggregatorProvider provider, ReferenceData refData, CapturingLoggerFactory logs)
    {
        Simulator = sim;
        Provider = provider;
        RefData = refData;
        Logs = logs;
    }

    public AggregatorSimulator Simulator { get; }

    public AggregatorProvider Provider { get; }

    public ReferenceData RefData { get; }

    public ConcurrentQueue<DeadLetter> DeadLetters { get; } = new();

    public ConcurrentQueue<SequenceGap> Gaps { get; } = new();

    public CapturingLoggerFactory Logs { get; }

    public Exception? Error { get; private set; }

    public bool Completed { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    public List<MarketEvent> Events(int from = 0)
    {
        lock (_gate)
        {
            return _events.Skip(from).ToList();
        }
    }

    /// <summary>Starts a simulator (token <c>good-token</c>) and a provider on it, not yet subscribed; fast reconnects.</summary>
    public static async Task<AggregatorHarness> StartAsync(IReadOnlyList<string> criteria, Action<AggregatorProviderOptions>? configure = null,
        AggregatorSimulatorOptions? simOptions = null)
    {
        var sim = await AggregatorSimulator.StartAsync(simOptions ?? new AggregatorSimulatorOptions { Token = "good-token" });
        var options = new AggregatorProviderOptions
        {
            Endpoint = sim.Endpoint,
            ApiToken = "good-token",
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
        };
        configure?.Invoke(options);
        var refData = new ReferenceData();
        var logs = new CapturingLoggerFactory();
        AggregatorHarness? harness = null;
        var provider = new AggregatorProvider(options, criteria, refData, d => harness!.DeadLetters.Enqueue(d), g => harness!.Gaps.Enqueue(g),
            loggers: logs);
        harness = new AggregatorHarness(sim, provider, refData, logs);
        return harness;
    }

    public AggregatorHarness Subscribe()
    {
        _subscription = Provider.Events.Subscribe(
            e =>
            {
                lock (_gate)
                {
                    _events.Add(e);
                }
            },
            ex => Error = ex,
            () => Completed = true);
        return this;
    }

    public string KeyOf(in MarketEvent e) => RefData.KeyOf(e.Instrument);

    /// <summary>Waits, up to <see cref="Deadline"/>, until <paramref name="condition"/> holds; fails with <paramref name="what"/> otherwise.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {Deadline.TotalSeconds} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> events from index <paramref name="from"/> match <paramref name="match"/>.</summary>
    public Task UntilEventsAsync(Func<MarketEvent, bool> match, int count, string what, int from = 0) =>
        UntilAsync(() => Events(from).Count(match) >= count, what);

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await Simulator.DisposeAsync();
    }
}

/// <summary>Keeps every log line (level and rendered message) for assertions.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Lines.Enqueue((logLevel, category, formatter(state, exception)));
            }
        }
    }
}
