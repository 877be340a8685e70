using System.Diagnostics;
using System.Text.Json;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Cloudwall.Rx.Simulation.Okx;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Bybit;

/// <summary>
/// One Bybit v5 public endpoint and its synthetic feed: <c>{"op":"ping"}</c> is answered in the category's pong form;
/// <c>subscribe</c>/<c>unsubscribe</c> requests are applied whole or refused whole (<c>"success":false</c> naming the bad topic);
/// <c>publicTrade.{symbol}</c> carries every trade of a step in one message; <c>tickers.{symbol}</c> starts with a snapshot to
/// the new subscriber, then deltas holding only what changed (derivatives) or snapshots (spot, without bid/ask);
/// <c>orderbook.1.{symbol}</c> (the <c>quotes</c> level) is the level-1 book, snapshots only as the v5 docs say: one to the new
/// subscriber, then one whenever a step's trades move the book, and again after <see cref="BookRepeat"/> without a change.
/// Deeper books are not simulated and are refused like unknown topics.
/// Sequences: <c>seq</c> is one cross sequence per endpoint shared by all symbols, as on Bybit, so it is not contiguous per
/// symbol; <see cref="SimulatorFaults.SkipSequence"/> on a symbol advances it.
/// </summary>
internal sealed partial class BybitSimulatorProtocol : IVenueProtocol
{
    internal const string PublicTrade = "publicTrade";
    internal const string Tickers = "tickers";
    internal const string OrderBook1 = BybitProtocol.OrderBookLevel1;

    /// <summary>Level-1 books are pushed again after 3 s without a change (v5 docs, Orderbook).</summary>
    internal static readonly TimeSpan BookRepeat = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly BybitSimulatorOptions _options;
    private readonly SimulatorFaults _faults;
    private readonly BybitRestApi _rest;
    private readonly SyntheticVenueView _view;
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly VenueSessions<Session> _sessions;
    private long _seq = 1_000_000;
    private long _cs = 5_000_000;
    private long _spotTradeId = 2_290_000_000_000_000_000;
    private DateTimeOffset _nextTicker;
    private DateTimeOffset _nextFunding;

    public BybitSimulatorProtocol(BybitSimulatorOptions options, SimulatorFaults faults, BybitRestApi rest, TimeProvider time, ILogger log)
    {
        _rest = rest;
        _sessions = new(_gate);
        _options = options;
        _faults = faults;
        _time = time;
        _log = log;
        var start = time.GetUtcNow();
        var market = options.Market ?? new SyntheticMarket(options.Seed);
        _view = market.ForVenue("bybit-" + options.Category.ToString().ToLowerInvariant(), options.VenueBasisFraction, options.VenueNoiseFraction,
            options.Seed + (int)options.Category);
        _random = _view.Random;
        foreach (var spec in options.EffectiveInstruments)
        {
            market.AddInstrument(spec.Walk, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            _instruments[spec.Symbol] = new Instrument(spec, spec.MeanFundingRate);
        }

        _nextTicker = start + options.TickerInterval;
        _nextFunding = start + options.FundingInterval;
    }

    public SimulatorStats? Stats { get; set; }

    private bool IsSpot => _options.Category == BybitCategory.Spot;

    public IReadOnlyCollection<string> Symbols
    {
        get
        {
            lock (_gate)
            {
                return [.. _instruments.Keys];
            }
        }
    }

    public void OnConnected(VenueConnection connection)
    {
        var session = new Session(connection);
        _sessions.Add(session);
    }

    public void OnDisconnected(VenueConnection connection)
    {
        _sessions.Remove(connection);
    }

    public IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection) =>
        _sessions.Describe(connection, static session => [.. session.Topics.Order(StringComparer.Ordinal)]);

    public ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var session = (Session)connection.ProtocolState!;
        string? op = null, reqId = null;
        var args = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(utf8);
            var root = doc.RootElement;
            op = root.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            reqId = root.TryGetProperty("req_id", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (root.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array)
            {
                args.AddRange(a.EnumerateArray().Select(x => x.GetString() ?? ""));
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            op = null;
        }

        if (op == "ping")
        {
            connection.Enqueue(BybitWire.Pong(_options.Category, reqId, connection.Id, _time.GetUtcNow().ToUnixTimeMilliseconds()));
            return ValueTask.CompletedTask;
        }

        if (op is not ("subscribe" or "unsubscribe"))
        {
            Reject(connection, "error:request not supported", op ?? "", reqId);
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            foreach (var topic in args)
            {
                if (!IsValid(topic))
                {
                    Reject(connection, "error:handler not found,topic:" + topic, op, reqId);
                    return ValueTask.CompletedTask;
                }
            }

            connection.Enqueue(BybitWire.Response(true, "", op, reqId, connection.Id));
            foreach (var topic in args)
            {
                if (op == "unsubscribe")
                {
                    session.Topics.Remove(topic);
                }
                else if (session.Topics.Add(topic) && topic.StartsWith(Tickers + ".", StringComparison.Ordinal))
                {
                    connection.Enqueue(Snapshot(_instruments[topic[(Tickers.Length + 1)..]], _time.GetUtcNow() - _faults.Latency));
                }
                else if (topic.StartsWith(OrderBook1 + ".", StringComparison.Ordinal))
                {
                    connection.Enqueue(Book(_instruments[topic[(OrderBook1.Length + 1)..]], _time.GetUtcNow() - _faults.Latency));
                }
            }

            LogSubscriptionChanged(_log, connection.Id, op, session.Topics.Count);
        }

        return ValueTask.CompletedTask;
    }

    public void Step(DateTimeOffset from, DateTimeOffset to)
    {
        var dt = (to - from).TotalSeconds;
        if (dt <= 0)
        {
            return;
        }

        var lag = _faults.Latency;
        lock (_gate)
        {
            var tickers = to >= _nextTicker;
            var funding = to >= _nextFunding;
            foreach (var p in _instruments.Values)
            {
                if (_faults.IsSilenced(p.Spec.Symbol))
                {
                    p.Carry = 0;
                    continue;
                }

                var n = _faults.TradesDue(p.Spec.Symbol, p.Spec.TradesPerSecond, dt, ref p.Carry);
                if (n > 0)
                {
                    EmitTrades(p, from, to, n, lag);
                }

                if (tickers)
                {
                    EmitTicker(p, to - lag, funding);
                }

                if ((n > 0 || to - p.BookAt >= BookRepeat) && !_faults.AreQuotesSilenced(p.Spec.Symbol))
                {
                    p.BookAt = to;
                    Publish(OrderBook1 + "." + p.Spec.Symbol, () => Book(p, to - lag));
                }
            }

            if (tickers)
            {
                _nextTicker = Next(_nextTicker, _options.TickerInterval, to);
            }

            if (funding)
            {
                _nextFunding = Next(_nextFunding, _options.FundingInterval, to);
            }
        }
    }

    private void EmitTrades(Instrument p, DateTimeOffset from, DateTimeOffset to, int n, TimeSpan lag)
    {
        var spec = p.Spec;
        var batch = new List<BybitWire.Trade>(n);
        _seq += 1 + _faults.TakeSequenceSkip(spec.Symbol);
        for (var i = 0; i < n; i++)
        {
            var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (i + 1.0) / n));
            var quoteFactor = _faults.QuotePriceFactor(spec.Symbol);
            var tradeFactor = _faults.TakeTradePriceFactor(spec.Symbol);
            var mid = (decimal)_view.Mid(spec.Walk, at) * quoteFactor;
            var spread = spec.SpreadTicks * spec.TickSize;
            var bid = SimDecimals.FloorToTick(mid - spread / 2, spec.TickSize);
            var ask = SimDecimals.WithScale(bid + spread, SimDecimals.ScaleOf(spec.TickSize));
            var takerBuys = _random.Next(2) == 0;
            var price = takerBuys ? ask : bid;
            if (tradeFactor != quoteFactor)
            {
                price = SimDecimals.RoundToTick(price * tradeFactor / quoteFactor, spec.TickSize);
            }

            var tick = price > p.Last ? "PlusTick" : price < p.Last ? "MinusTick" : "ZeroPlusTick";
            p.Bid = bid;
            p.Ask = ask;
            p.Last = price;
            var id = IsSpot ? (++_spotTradeId).ToString(System.Globalization.CultureInfo.InvariantCulture) : NewUuid().ToString("D");
            var trade = new BybitWire.Trade(id, price, SimDecimals.Size(_random, spec.MeanTradeSize), takerBuys, (at - lag).ToUnixTimeMilliseconds(), _seq, tick);

            // DropTrades counts trades (the elements of a publicTrade message, the items of recent-trade).
            var drop = _faults.TakeTradeDrop(spec.Symbol);
            _rest.Record(spec.Symbol, trade, drop);
            if (drop == TradeDrop.None)
            {
                batch.Add(trade);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        Publish(PublicTrade + "." + spec.Symbol, () => BybitWire.Trades(spec.Symbol, batch, (to - lag).ToUnixTimeMilliseconds()));
    }

    private void EmitTicker(Instrument p, DateTimeOffset at, bool funding)
    {
        var topic = Tickers + "." + p.Spec.Symbol;
        if (IsSpot)
        {
            Publish(topic, () => BybitWire.SpotTicker(p.Spec.Symbol, p.Last, ++_cs, at.ToUnixTimeMilliseconds()));
            return;
        }

        p.Mark = SimDecimals.RoundToTick((decimal)_view.Mid(p.Spec.Walk, at) * _faults.QuotePriceFactor(p.Spec.Symbol), p.Spec.TickSize);
        p.Index = SimDecimals.RoundToTick((decimal)_view.Market.Mid(p.Spec.Walk, at), p.Spec.TickSize);
        if (funding)
        {
            p.Funding = SimDecimals.WithScale(p.Spec.MeanFundingRate + (decimal)((_random.NextDouble() - 0.5) * 0.0001), 6);
        }

        var bidSize = SimDecimals.Size(_random, p.Spec.MeanTradeSize * 4);
        var askSize = SimDecimals.Size(_random, p.Spec.MeanTradeSize * 4);
        var cs = ++_cs;
        Publish(topic, () => BybitWire.DerivativesTicker(p.Spec.Symbol, snapshot: false, last: null, p.Mark, p.Index, funding ? p.Funding : null,
            p.Bid, bidSize, p.Ask, askSize, cs, at.ToUnixTimeMilliseconds()));
    }

    private byte[] Snapshot(Instrument p, DateTimeOffset at) =>
        IsSpot
            ? BybitWire.SpotTicker(p.Spec.Symbol, p.Last, _cs, at.ToUnixTimeMilliseconds())
            : BybitWire.DerivativesTicker(p.Spec.Symbol, snapshot: true, p.Last, p.Mark, p.Index, p.Funding, p.Bid,
                SimDecimals.WithScale(p.Spec.MeanTradeSize, 8), p.Ask, SimDecimals.WithScale(p.Spec.MeanTradeSize, 8), _cs, at.ToUnixTimeMilliseconds());

    /// <summary>The level-1 book: the last trade step's bid and ask, with sizes drawn only when someone subscribes.</summary>
    private byte[] Book(Instrument p, DateTimeOffset at) =>
        BybitWire.OrderBook1(p.Spec.Symbol, p.Bid, SimDecimals.Size(_random, p.Spec.MeanTradeSize * 4), p.Ask,
            SimDecimals.Size(_random, p.Spec.MeanTradeSize * 4), ++p.BookUpdate, _seq, at.ToUnixTimeMilliseconds());

    private void Publish(string topic, Func<byte[]> frame)
    {
        AssertGateHeld();
        byte[]? bytes = null;
        foreach (var s in _sessions.All)
        {
            if (s.Topics.Contains(topic))
            {
                s.Connection.Enqueue(bytes ??= frame());
            }
        }
    }

    private bool IsValid(string topic)
    {
        var dot = topic.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        var prefix = topic[..dot];
        if (topic.StartsWith(OrderBook1 + ".", StringComparison.Ordinal))
        {
            return _instruments.ContainsKey(topic[(OrderBook1.Length + 1)..]);
        }

        return prefix is PublicTrade or Tickers && _instruments.ContainsKey(topic[(dot + 1)..]);
    }

    private void Reject(VenueConnection connection, string message, string op, string? reqId)
    {
        Stats?.CountProtocolError();
        LogRejected(_log, connection.Id, message);
        connection.Enqueue(BybitWire.Response(false, message, op, reqId, connection.Id));
    }

    private Guid NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5, as Bybit's trade ids are
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private static DateTimeOffset Next(DateTimeOffset due, TimeSpan interval, DateTimeOffset now)
    {
        var next = due + interval;
        return next < now ? now + interval : next;
    }

    [Conditional("DEBUG")]
    private void AssertGateHeld() => Debug.Assert(_gate.IsHeldByCurrentThread, "the feed must hold the protocol gate");

    [LoggerMessage(EventId = 7401, Level = LogLevel.Debug, Message = "Bybit connection {ConnectionId}: {Op} applied, {Count} topics")]
    private static partial void LogSubscriptionChanged(ILogger logger, long connectionId, string op, int count);

    [LoggerMessage(EventId = 7402, Level = LogLevel.Debug, Message = "Bybit connection {ConnectionId}: rejected request ({Message})")]
    private static partial void LogRejected(ILogger logger, long connectionId, string message);

    private sealed class Session(VenueConnection connection) : IVenueSession
    {
        public VenueConnection Connection { get; } = connection;

        public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Instrument(BybitSyntheticInstrument spec, decimal funding)
    {
        public BybitSyntheticInstrument Spec { get; } = spec;

        public double Carry;
        public DateTimeOffset BookAt;
        public long BookUpdate;
        public decimal Bid = SimDecimals.RoundToTick(spec.StartPrice, spec.TickSize);
        public decimal Ask = SimDecimals.RoundToTick(spec.StartPrice + spec.SpreadTicks * spec.TickSize, spec.TickSize);
        public decimal Last = SimDecimals.RoundToTick(spec.StartPrice, spec.TickSize);
        public decimal Mark = SimDecimals.RoundToTick(spec.StartPrice, spec.TickSize);
        public decimal Index = SimDecimals.RoundToTick(spec.StartPrice, spec.TickSize);
        public decimal Funding = SimDecimals.WithScale(funding, 6);
    }
}
