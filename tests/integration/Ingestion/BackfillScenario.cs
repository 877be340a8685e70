using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Tests.Integration.Ingestion;

/// <summary>
/// What every venue's back-fill integration tests share: a simulator, a real provider subscribed to one instrument and the
/// venue's back-fill client on the simulator's REST port. It opens a gap in the live trades with <c>DropTrades</c> (the last
/// trade before, the first after), builds the <see cref="BackfillRequest"/> the coordinator would, fetches it, and checks that
/// what came back is exactly what the live stream lost. Waits are bounded by a deadline on received data; nothing sleeps
/// for a fixed time.
/// </summary>
internal sealed class BackfillScenario : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly ConcurrentQueue<MarketEvent> _trades = new();
    private readonly ConcurrentQueue<MarketEvent> _backfilled = new();
    private readonly IDisposable _subscription;
    private readonly WebSocketVenueSimulator _sim;
    private readonly BackfillHttp _http;

    /// <param name="symbol">The venue's symbol: what the provider subscribes, the fault names and the REST API asks for.</param>
    /// <param name="client">The client under test, given the HTTP side on the simulator's REST port.</param>
    /// <param name="provider">The real provider, given the client (for a provider that fills its own gaps).</param>
    public BackfillScenario(WebSocketVenueSimulator sim, string symbol, RestBudget budget, Func<BackfillHttp, IBackfillClient> client,
        Func<IBackfillClient, WebSocketProvider> provider)
    {
        _sim = sim;
        Symbol = symbol;
        _http = new BackfillHttp(sim.RestEndpoint!, budget);
        Client = client(_http);
        _subscription = provider(Client).Events.Subscribe(
            e =>
            {
                if (e.Kind != EventKind.Trade)
                {
                    return;
                }

                if (e.Flags.HasFlag(EventFlags.Backfill))
                {
                    _backfilled.Enqueue(e);
                }
                else if (!e.Flags.HasFlag(EventFlags.Snapshot))
                {
                    // The history a venue sends on subscribe (Coinbase last_match) is not part of the live sequence.
                    _trades.Enqueue(e);
                }
            },
            ex => throw new InvalidOperationException("stream errored", ex));
    }

    /// <summary>Settings for a provider that fills its own gaps: a short settle so the test does not wait long.</summary>
    public static BackfillOptions CoordinatorOptions { get; } = new() { SettleDelay = TimeSpan.FromMilliseconds(100) };

    public string Symbol { get; }

    public IBackfillClient Client { get; }

    /// <summary>Lets trades flow, withholds the next <paramref name="count"/> and fetches the gap the live stream shows.</summary>
    public async Task<(BackfillRequest Request, BackfillFetch Fetch)> DropAndFillAsync(int count, int unserved = 0)
    {
        var request = await OpenGapAsync(count, unserved);
        var fetch = await Client.FetchAsync(request, 1_000, UnixTime.FromDateTime(DateTime.UtcNow), CancellationToken.None);
        return (request, fetch);
    }

    /// <summary>
    /// The fetched trades strictly inside the gap (the bounds removed, as the coordinator does), checked to be trades of the
    /// instrument in the gap's time that were not delivered live, each id once, and not yet flagged as back-fill.
    /// </summary>
    public List<MarketEvent> Inside(BackfillRequest request, BackfillFetch fetch)
    {
        var inside = fetch.Trades
            .Where(e => e.TradeId.AsLong > request.FromId.AsLong && e.TradeId.AsLong < request.ToId.AsLong)
            .OrderBy(e => e.TradeId.AsLong)
            .ToList();
        var live = _trades.Select(e => e.TradeId.AsLong).ToHashSet();
        Assert.All(inside, e =>
        {
            Assert.DoesNotContain(e.TradeId.AsLong, live);
            Assert.Equal(EventKind.Trade, e.Kind);
            Assert.Equal(request.Instrument, e.Instrument);
            Assert.Equal(request.Venue, e.Venue);
            Assert.Equal(request.Provider, e.Provider);
            Assert.True(e.Price > 0 && e.Size > 0);
            Assert.InRange(e.ExchangeTimeNs, request.FromTimeNs, request.ToTimeNs);
            Assert.False(e.Flags.HasFlag(EventFlags.Backfill)); // the coordinator flags them
        });
        Assert.Equal(inside.Count, inside.Select(e => e.TradeId).Distinct().Count());
        return inside;
    }

    /// <summary>
    /// Withholds ten trades and fetches them back: exactly the ten ids after the break, none delivered live, the venue's
    /// history reaching back to the break. Returns the request and the ten, oldest first, for the venue's own comparison with
    /// what its REST history holds.
    /// </summary>
    public async Task<(BackfillRequest Request, List<MarketEvent> Inside)> AssertWithheldTradesAreFetchedAsync()
    {
        var (request, fetch) = await DropAndFillAsync(10);

        Assert.Equal(10, request.ExpectedCount(Client.ConsecutiveIds));
        var inside = Inside(request, fetch);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => request.FromId.AsLong + i), inside.Select(e => e.TradeId.AsLong));
        Assert.True(fetch.ReachedStart);
        Assert.Equal(10, _sim.Faults.TradesWithheld);
        return (request, inside);
    }

    /// <summary>
    /// With the first <c>unserved</c> of ten withheld trades no longer served, the fetch holds the other six, and the ids
    /// (the venue numbers trades consecutively) tell the coordinator that four are missing.
    /// </summary>
    public async Task AssertUnservedTradesAreCountedMissingAsync()
    {
        Assert.True(Client.ConsecutiveIds);
        var (request, fetch) = await DropAndFillAsync(10, unserved: 4);

        var inside = Inside(request, fetch);
        Assert.Equal(Enumerable.Range(5, 6).Select(i => request.FromId.AsLong + i), inside.Select(e => e.TradeId.AsLong));
        Assert.Equal(4, request.ExpectedCount(Client.ConsecutiveIds) - inside.Count);
        Assert.Equal(4, _sim.Faults.TradesLost);
        Assert.True(fetch.ReachedStart); // the venue still serves the last trade before the break
    }

    /// <summary>Two 503s and a 429 with <c>Retry-After</c> before the venue answers: the client's retries get through.</summary>
    public async Task AssertRetriedThroughAsync()
    {
        var request = await OpenGapAsync(5, 0);
        var requestsBefore = _sim.RestStats.Requests;
        _sim.Faults.FailRest(2, 503);
        _sim.Faults.FailRest(1, 429);

        var fetch = await Client.FetchAsync(request, 1_000, 0, CancellationToken.None);

        Assert.Equal(5, Inside(request, fetch).Count);
        Assert.Equal(4, _sim.RestStats.Requests - requestsBefore); // three refused, then served
    }

    /// <summary>
    /// The provider's own coordinator (the platform's gap-fill) fetches the ten withheld trades through the client and publishes
    /// them once, flagged as back-fill, among the live events.
    /// </summary>
    public async Task AssertProviderFillsTheGapAsync()
    {
        var request = await OpenGapAsync(10, 0);
        await Eventually(() => _backfilled.Count >= 10);

        var filled = _backfilled.ToArray();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => request.FromId.AsLong + i), filled.Select(e => e.TradeId.AsLong).Order());
        Assert.All(filled, e => Assert.Equal(request.Instrument, e.Instrument));
        var live = _trades.Select(e => e.TradeId.AsLong).ToHashSet();
        Assert.DoesNotContain(filled, e => live.Contains(e.TradeId.AsLong));
    }

    private async Task<BackfillRequest> OpenGapAsync(int count, int unserved)
    {
        await Eventually(() => _trades.Count >= 20);
        Assert.Null(FindGap());
        _sim.Faults.DropTrades(Symbol, count, unserved);
        await Eventually(() => FindGap() is not null);
        var (before, after) = FindGap()!.Value;
        return new BackfillRequest(before.Provider, before.Venue, before.Instrument, Symbol, 0, BackfillReason.SequenceGap,
            before.ExchangeTimeNs, before.TradeId, after.ExchangeTimeNs, after.TradeId, after.ReceiveTimeNs);
    }

    /// <summary>The first jump in the live ids: the last trade before it and the first after.</summary>
    private (MarketEvent Before, MarketEvent After)? FindGap()
    {
        var trades = _trades.ToArray();
        for (var i = 1; i < trades.Length; i++)
        {
            if (trades[i].TradeId.AsLong > trades[i - 1].TradeId.AsLong + 1)
            {
                return (trades[i - 1], trades[i]);
            }
        }

        return null;
    }

    private static async Task Eventually(Func<bool> done)
    {
        using var cts = new CancellationTokenSource(Deadline);
        while (!done())
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"not seen within {Deadline}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        _http.Dispose();
        await _sim.DisposeAsync();
    }
}
