using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Transport;

namespace Cloudwall.Rx.Tests.Integration.Okx;

/// <summary>
/// A real <see cref="WebSocketProvider"/> subscribed and collecting what it emits, with waits bounded by a deadline
/// (polling the collected data, never a fixed sleep). Shared by the OKX and Bybit provider tests and the back-fill tests.
/// </summary>
internal sealed class ProviderRun : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<MarketEvent> _events = new();
    private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();
    private readonly IDisposable _subscription;
    private Exception? _error;

    public ProviderRun(IVenueProtocol protocol, Uri endpoint, IReadOnlyList<string> symbols, ReferenceData refData)
        : this([new WebSocketRoute(protocol, endpoint)], symbols, refData)
    {
    }

    /// <summary>A provider over several routes (one protocol per endpoint, as Binance USDⓈ-M).</summary>
    public ProviderRun(IReadOnlyList<WebSocketRoute> routes, IReadOnlyList<string> symbols, ReferenceData refData)
    {
        RefData = refData;
        Provider = new WebSocketProvider(routes, symbols, refData, _deadLetters.Enqueue,
            new ConnectionOptions { ReconnectDelay = TimeSpan.FromMilliseconds(200) });
        _subscription = Provider.Events.Subscribe(_events.Enqueue, ex => _error = ex);
    }

    public WebSocketProvider Provider { get; }

    public ReferenceData RefData { get; }

    public IReadOnlyCollection<DeadLetter> DeadLetters => _deadLetters;

    public MarketEvent[] Events => [.. _events];

    public MarketEvent[] Of(string key) => _events.Where(e => RefData.KeyOf(e.Instrument) == key).ToArray();

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
                Assert.Fail($"timed out after {Deadline.TotalSeconds} s waiting for {what}; {_events.Count} events, {_deadLetters.Count} dead letters");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose() => _subscription.Dispose();
}
