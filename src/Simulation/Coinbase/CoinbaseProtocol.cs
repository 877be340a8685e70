using System.Diagnostics;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>Per-product feed state. Guarded by <see cref="CoinbaseProtocol.Gate"/>.</summary>
internal sealed class CoinbaseProductState(string productId)
{
    public string ProductId { get; } = productId;

    /// <summary>The last sequence the product emitted.</summary>
    public long Sequence;

    public long LastTradeId;

    /// <summary>Trade ids still to skip: a skipped sequence also loses the trades it would have carried.</summary>
    public long PendingTradeSkip;

    /// <summary>What a new <c>matches</c> subscriber receives first, as <c>last_match</c>.</summary>
    public CoinbaseMatch? LastMatch;

    /// <summary>The latest ticker, which <c>ticker_batch</c> sends at its next batch when <see cref="TickerChanged"/>.</summary>
    public CoinbaseTicker LatestTicker;

    public bool TickerChanged;
}

/// <summary>
/// The Coinbase Exchange protocol: answers <c>subscribe</c> and <c>unsubscribe</c>, keeps each connection's subscription
/// set, and fans the feed's messages out to the connections subscribed to that (channel, product).
/// One gate serialises the feed loop against subscription changes, so a new subscriber's <c>subscriptions</c> ack and
/// <c>last_match</c> are always queued before the first <c>match</c> that follows them.
/// </summary>
internal sealed partial class CoinbaseProtocol : IVenueProtocol
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CoinbaseProductState> _products = new(StringComparer.Ordinal);
    private readonly SimulatorFaults _faults;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly VenueSessions<CoinbaseSession> _sessions;
    private readonly TimeSpan _tickerBatchInterval;
    private DateTimeOffset _nextTickerBatch;

    public CoinbaseProtocol(SimulatorFaults faults, TimeProvider time, ILogger log, TimeSpan? tickerBatchInterval = null)
    {
        _sessions = new(_gate);
        _faults = faults;
        _time = time;
        _log = log;
        _tickerBatchInterval = tickerBatchInterval ?? TimeSpan.FromSeconds(5);
        _nextTickerBatch = time.GetUtcNow() + _tickerBatchInterval;
    }

    public Lock Gate => _gate;

    /// <summary>Set once the server exists.</summary>
    public SimulatorStats? Stats { get; set; }

    /// <summary>Every match published (withheld ones included, lost ones not), for the REST trade history.</summary>
    public TradeHistory<CoinbaseHistoricTrade> History { get; } = new();

    public IReadOnlyCollection<string> ProductIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _products.Keys];
            }
        }
    }

    public CoinbaseProductState AddProduct(string productId)
    {
        lock (_gate)
        {
            if (!_products.TryGetValue(productId, out var p))
            {
                p = new CoinbaseProductState(productId);
                _products.Add(productId, p);
            }

            return p;
        }
    }

    /// <summary>Exchange time: now, lagged by <see cref="SimulatorFaults.AddLatency"/>.</summary>
    public DateTime ExchangeNow() => (_time.GetUtcNow() - _faults.Latency).UtcDateTime;

    /// <summary>Allocates the product's next sequence, applying any pending <see cref="SimulatorFaults.SkipSequence"/>. Gate held.</summary>
    public long NextSequence(CoinbaseProductState product)
    {
        AssertGateHeld();
        var skip = _faults.TakeSequenceSkip(product.ProductId);
        product.Sequence += 1 + skip;
        product.PendingTradeSkip += skip;
        return product.Sequence;
    }

    /// <summary>
    /// Publishes a match to its subscribers and records it for REST, unless <see cref="SimulatorFaults.DropTrades"/> withholds
    /// it (recorded, not sent) or loses it (neither). False when it was not sent live.
    /// </summary>
    public bool PublishMatch(CoinbaseProductState product, in CoinbaseMatch match)
    {
        AssertGateHeld();
        product.LastMatch = match;
        product.LastTradeId = match.TradeId;
        var drop = _faults.TakeTradeDrop(product.ProductId);
        History.Record(product.ProductId, new CoinbaseHistoricTrade(match), drop);
        if (drop != TradeDrop.None)
        {
            return false;
        }

        if (AnySubscribed(CoinbaseChannels.Matches, product.ProductId))
        {
            var frame = CoinbaseWire.Match(match, last: false);
            Deliver(CoinbaseChannels.Matches, product.ProductId, frame);
            if (_faults.DuplicatesTrades(product.ProductId))
            {
                Deliver(CoinbaseChannels.Matches, product.ProductId, frame); // same trade id and sequence, as a venue resend
            }
        }

        return true;
    }

    public void PublishTicker(CoinbaseProductState product, in CoinbaseTicker ticker)
    {
        AssertGateHeld();
        product.LatestTicker = ticker;
        product.TickerChanged = true;
        if (AnySubscribed(CoinbaseChannels.Ticker, product.ProductId))
        {
            Deliver(CoinbaseChannels.Ticker, product.ProductId, CoinbaseWire.Ticker(ticker));
        }
    }

    /// <summary>
    /// <c>ticker_batch</c>: once every batch interval (Coinbase: 5 s), each product's latest ticker when it changed since
    /// the last batch, in the ticker's own shape. Called after every feed step, whichever feed runs.
    /// </summary>
    public void PublishTickerBatches(DateTimeOffset now)
    {
        if (now < _nextTickerBatch)
        {
            return;
        }

        _nextTickerBatch += _tickerBatchInterval;
        if (_nextTickerBatch <= now)
        {
            _nextTickerBatch = now + _tickerBatchInterval;
        }

        lock (_gate)
        {
            foreach (var product in _products.Values)
            {
                if (!product.TickerChanged)
                {
                    continue;
                }

                product.TickerChanged = false;
                if (AnySubscribed(CoinbaseChannels.TickerBatch, product.ProductId))
                {
                    Deliver(CoinbaseChannels.TickerBatch, product.ProductId, CoinbaseWire.Ticker(product.LatestTicker));
                }
            }
        }
    }

    public void PublishHeartbeat(CoinbaseProductState product, long sequence, DateTime time)
    {
        AssertGateHeld();
        if (AnySubscribed(CoinbaseChannels.Heartbeat, product.ProductId))
        {
            Deliver(CoinbaseChannels.Heartbeat, product.ProductId, CoinbaseWire.Heartbeat(product.ProductId, sequence, product.LastTradeId, time));
        }
    }

    public void OnConnected(VenueConnection connection)
    {
        var session = new CoinbaseSession(connection);
        _sessions.Add(session);
    }

    public void OnDisconnected(VenueConnection connection)
    {
        _sessions.Remove(connection);
    }

    public IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection) =>
        _sessions.Describe(connection, static session => session.Describe());

    public ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var session = (CoinbaseSession)connection.ProtocolState!;
        var request = CoinbaseRequest.TryParse(utf8, out var message, out var reason);
        if (request is null)
        {
            Reject(connection, message, reason);
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            // Validate the whole request first: Coinbase applies all of it or none of it.
            var resolved = new List<(CoinbaseChannels Channel, string[]? Products)>(request.Channels.Count);
            foreach (var (channel, own) in request.Channels)
            {
                var products = own ?? request.ProductIds;
                if (request.Subscribe && (products is null || products.Length == 0))
                {
                    Reject(connection, message, $"No product ids provided for channel {CoinbaseChannelNames.Name(channel)}");
                    return ValueTask.CompletedTask;
                }

                foreach (var p in products ?? [])
                {
                    if (!_products.ContainsKey(p))
                    {
                        Reject(connection, message, $"{p} is not a valid product");
                        return ValueTask.CompletedTask;
                    }
                }

                resolved.Add((channel, products));
            }

            List<string>? newMatches = null;
            foreach (var (channel, products) in resolved)
            {
                if (!request.Subscribe)
                {
                    if (products is null)
                    {
                        session.RemoveAll(channel);
                    }
                    else
                    {
                        foreach (var p in products)
                        {
                            session.Remove(channel, p);
                        }
                    }

                    continue;
                }

                foreach (var p in products!)
                {
                    if (session.Add(channel, p) && channel == CoinbaseChannels.Matches)
                    {
                        (newMatches ??= []).Add(p);
                    }
                }
            }

            connection.Enqueue(CoinbaseWire.Subscriptions(session));
            foreach (var p in newMatches ?? [])
            {
                if (_products[p].LastMatch is { } last)
                {
                    connection.Enqueue(CoinbaseWire.Match(last, last: true));
                }
            }

            LogSubscriptionChanged(_log, connection.Id, request.Subscribe ? "subscribe" : "unsubscribe", session.Describe().Count);
        }

        return ValueTask.CompletedTask;
    }

    private void Reject(VenueConnection connection, string message, string reason)
    {
        Stats?.CountProtocolError();
        LogRejected(_log, connection.Id, message, reason);
        connection.Enqueue(CoinbaseWire.Error(message, reason));
    }

    private bool AnySubscribed(CoinbaseChannels channel, string productId)
    {
        foreach (var s in _sessions.All)
        {
            if (s.Has(channel, productId))
            {
                return true;
            }
        }

        return false;
    }

    private void Deliver(CoinbaseChannels channel, string productId, byte[] frame)
    {
        foreach (var s in _sessions.All)
        {
            if (s.Has(channel, productId))
            {
                s.Connection.Enqueue(frame);
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertGateHeld() => Debug.Assert(_gate.IsHeldByCurrentThread, "the feed must hold the protocol gate");

    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Coinbase connection {ConnectionId}: {Action} applied, {Count} subscriptions")]
    private static partial void LogSubscriptionChanged(ILogger logger, long connectionId, string action, int count);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Debug, Message = "Coinbase connection {ConnectionId}: rejected request ({Message}: {Reason})")]
    private static partial void LogRejected(ILogger logger, long connectionId, string message, string reason);
}
