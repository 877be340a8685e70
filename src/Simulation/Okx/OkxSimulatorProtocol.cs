using Cloudwall.Rx.Ingestion.Venues.Okx;
using System.Diagnostics;
using System.Text.Json;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Okx;

/// <summary>
/// The OKX v5 public and business protocol and its synthetic feed: answers the text <c>ping</c> with the text <c>pong</c>, applies
/// <c>subscribe</c>/<c>unsubscribe</c> ops (one <c>{"event":...,"arg":...}</c> ack per arg, <c>{"event":"error"}</c> for an
/// unknown channel or instrument, or a channel of the other endpoint, and the request is then not applied at all), and
/// generates <c>trades</c> (batched per step; each synthetic taker order fills once, so <c>count</c> is 1), <c>tickers</c>,
/// <c>bbo-tbt</c> (on each change of the best bid or ask), <c>mark-price</c>, <c>index-tickers</c> and <c>funding-rate</c> on
/// the public path, and <c>trades-all</c> (one trade per push) on the business path, from a <see cref="SyntheticMarket"/>.
/// One gate serialises the feed against subscription changes, so an ack is always queued before the data it enables.
/// </summary>
internal sealed partial class OkxSimulatorProtocol : IVenueProtocol
{
    internal const string Trades = "trades";
    internal const string Tickers = "tickers";
    internal const string MarkPrice = "mark-price";
    internal const string IndexTickers = "index-tickers";
    internal const string FundingRate = "funding-rate";
    internal const string TradesAll = OkxLevels.TradesAll;
    internal const string BboTbt = OkxLevels.BboTbt;

    private static readonly byte[] Pong = "pong"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly HashSet<string> _indices = new(StringComparer.Ordinal);
    private readonly OkxSimulatorOptions _options;
    private readonly SimulatorFaults _faults;
    private readonly SyntheticVenueView _view;
    private readonly Random _random;
    private readonly ILogger _log;
    private readonly VenueSessions<Session> _sessions;
    private readonly string _businessPath;
    private DateTimeOffset _nextTicker;
    private DateTimeOffset _nextMark;
    private DateTimeOffset _nextFunding;

    public OkxSimulatorProtocol(OkxSimulatorOptions options, SimulatorFaults faults, DateTimeOffset start, ILogger log, string businessPath)
    {
        _sessions = new(_gate);
        _businessPath = businessPath;
        _options = options;
        _faults = faults;
        _log = log;
        var market = options.Market ?? new SyntheticMarket(options.Seed);
        _view = market.ForVenue("okx", options.VenueBasisFraction, options.VenueNoiseFraction, options.Seed);
        _random = _view.Random;
        var i = 0;
        foreach (var spec in options.EffectiveInstruments)
        {
            market.AddInstrument(spec.Walk, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            _instruments[spec.InstId] = new Instrument(spec, 1_000_000L * ++i);
            _indices.Add(spec.IndexId);
        }

        _nextTicker = start + options.TickerInterval;
        _nextMark = start + options.MarkInterval;
        _nextFunding = start + options.FundingInterval;
    }

    public SimulatorStats? Stats { get; set; }

    /// <summary>Every fill printed (or withheld by <see cref="SimulatorFaults.DropTrades"/>), for <c>history-trades</c>.</summary>
    public TradeHistory<OkxHistoricTrade> History { get; } = new();

    /// <summary>True for an instrument id the simulator trades.</summary>
    public bool IsInstrument(string instId)
    {
        lock (_gate)
        {
            return _instruments.ContainsKey(instId);
        }
    }

    public IReadOnlyCollection<string> InstIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _instruments.Keys];
            }
        }
    }

    /// <summary>The last trade id the instrument printed (ids are contiguous per instrument unless a skip fault is set).</summary>
    public long LastTradeId(string instId)
    {
        lock (_gate)
        {
            return _instruments[instId].LastTradeId;
        }
    }

    public void OnConnected(VenueConnection connection)
    {
        var session = new Session(connection, connection.Path == _businessPath ? OkxRoute.Business : OkxRoute.Public);
        _sessions.Add(session);
    }

    public void OnDisconnected(VenueConnection connection)
    {
        _sessions.Remove(connection);
    }

    public IReadOnlyList<string> DescribeSubscriptions(VenueConnection connection) =>
        _sessions.Describe(connection, static session => [.. session.Subscriptions.Order(StringComparer.Ordinal)]);

    public ValueTask OnTextMessageAsync(VenueConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var session = (Session)connection.ProtocolState!;
        if (utf8.Span.Trim(" \r\n\t"u8).SequenceEqual("ping"u8))
        {
            connection.Enqueue(Pong);
            return ValueTask.CompletedTask;
        }

        string? op = null;
        var args = new List<(string Channel, string InstId)>();
        try
        {
            using var doc = JsonDocument.Parse(utf8);
            var root = doc.RootElement;
            op = root.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            if (root.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array)
            {
                foreach (var arg in a.EnumerateArray())
                {
                    args.Add((arg.GetProperty("channel").GetString() ?? "", arg.GetProperty("instId").GetString() ?? ""));
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            op = null;
        }

        if (op is not ("subscribe" or "unsubscribe") || args.Count == 0)
        {
            Reject(connection, "60012", "Invalid request: " + System.Text.Encoding.UTF8.GetString(utf8.Span[..Math.Min(utf8.Length, 200)]));
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            foreach (var (channel, instId) in args)
            {
                if (!IsValid(channel, instId, session.Route))
                {
                    Reject(connection, "60018", $"Wrong URL or channel:{channel},instId:{instId} doesn't exist.");
                    return ValueTask.CompletedTask;
                }
            }

            foreach (var (channel, instId) in args)
            {
                var key = channel + ":" + instId;
                if (op == "subscribe")
                {
                    session.Subscriptions.Add(key);
                }
                else
                {
                    session.Subscriptions.Remove(key);
                }

                connection.Enqueue(OkxWire.Ack(op, channel, instId, connection.Id));
            }

            LogSubscriptionChanged(_log, connection.Id, op, session.Subscriptions.Count);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Emits everything due in (<paramref name="from"/>, <paramref name="to"/>].</summary>
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
            var marks = to >= _nextMark;
            var funding = to >= _nextFunding;
            foreach (var p in _instruments.Values)
            {
                if (_faults.IsSilenced(p.Spec.InstId))
                {
                    p.Carry = 0;
                    continue;
                }

                var n = _faults.TradesDue(p.Spec.InstId, p.Spec.TradesPerSecond, dt, ref p.Carry);
                if (n > 0)
                {
                    EmitTrades(p, from, to, n, lag);
                }

                if (tickers)
                {
                    Publish(Tickers, p.Spec.InstId, () => OkxWire.Ticker(p.Spec.InstId, p.Bid, p.BidSize, p.Ask, p.AskSize, p.Last, p.LastSize, Ms(to - lag)));
                }

                if (marks && !p.Spec.IsSpot)
                {
                    var mark = SimDecimals.RoundToTick((decimal)_view.Mid(p.Spec.Walk, to) * _faults.QuotePriceFactor(p.Spec.InstId), p.Spec.TickSize);
                    Publish(MarkPrice, p.Spec.InstId, () => OkxWire.Mark(p.Spec.InstId, p.Spec.IsSwap ? "SWAP" : "FUTURES", mark, Ms(to - lag)));
                }

                if (marks && p.Spec.IsSpot)
                {
                    // The index is the market's fair price without this venue's noise, on the spot grammar id.
                    var index = SimDecimals.RoundToTick((decimal)_view.Market.Mid(p.Spec.Walk, to), p.Spec.TickSize);
                    Publish(IndexTickers, p.Spec.IndexId, () => OkxWire.Index(p.Spec.IndexId, index, Ms(to - lag)));
                }

                if (funding && p.Spec.IsSwap)
                {
                    var rate = SimDecimals.WithScale(p.Spec.MeanFundingRate + (decimal)(SyntheticMarketNoise() * 0.00005), 8);
                    var next = SimDecimals.WithScale(rate + (decimal)(SyntheticMarketNoise() * 0.00001), 8);
                    Publish(FundingRate, p.Spec.InstId, () => OkxWire.Funding(p.Spec.InstId, rate, next, Ms(to - lag)));
                }
            }

            if (tickers)
            {
                _nextTicker = Next(_nextTicker, _options.TickerInterval, to);
            }

            if (marks)
            {
                _nextMark = Next(_nextMark, _options.MarkInterval, to);
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
        var batch = new List<OkxWire.Trade>(n);
        for (var i = 0; i < n; i++)
        {
            var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (i + 1.0) / n));
            var quoteFactor = _faults.QuotePriceFactor(spec.InstId);
            var tradeFactor = _faults.TakeTradePriceFactor(spec.InstId);
            var mid = (decimal)_view.Mid(spec.Walk, at) * quoteFactor;
            var spread = spec.SpreadTicks * spec.TickSize;
            var bid = SimDecimals.FloorToTick(mid - spread / 2, spec.TickSize);
            var ask = SimDecimals.WithScale(bid + spread, SimDecimals.ScaleOf(spec.TickSize));
            var takerBuys = _random.Next(2) == 0;
            var price = takerBuys ? ask : bid;
            if (tradeFactor != quoteFactor)
            {
                price = SimDecimals.RoundToTick(price * tradeFactor / quoteFactor, spec.TickSize); // a spike prints away from the quotes
            }

            var size = SimDecimals.Size(_random, spec.MeanTradeSize);
            p.LastTradeId += 1 + _faults.TakeSequenceSkip(spec.InstId);
            p.Bid = bid;
            p.Ask = ask;
            p.BidSize = SimDecimals.Size(_random, spec.MeanTradeSize * 4);
            p.AskSize = SimDecimals.Size(_random, spec.MeanTradeSize * 4);
            p.Last = price;
            p.LastSize = size;
            var trade = new OkxWire.Trade(p.LastTradeId, price, size, takerBuys, Ms(at - lag));
            p.LastTradeMs = trade.TimeMs;

            // Each synthetic taker order fills once, so a history-trades fill is also one trades and one trades-all row.
            var drop = _faults.TakeTradeDrop(spec.InstId);
            History.Record(spec.InstId, new OkxHistoricTrade(trade), drop);
            if (drop != TradeDrop.None)
            {
                continue;
            }

            batch.Add(trade);
            Publish(TradesAll, spec.InstId, () => OkxWire.Trades(spec.InstId, [trade], TradesAll)); // one trade per push
        }

        if (batch.Count > 0)
        {
            Publish(Trades, spec.InstId, () => OkxWire.Trades(spec.InstId, [.. batch]));
        }

        if (p.Bid != p.PushedBid || p.Ask != p.PushedAsk)
        {
            (p.PushedBid, p.PushedAsk) = (p.Bid, p.Ask);
            var seqId = ++p.BboSeqId;
            Publish(BboTbt, spec.InstId, () => OkxWire.Bbo(spec.InstId, p.Bid, p.BidSize, p.Ask, p.AskSize, p.LastTradeMs, seqId));
        }
    }

    private void Publish(string channel, string instId, Func<byte[]> frame)
    {
        AssertGateHeld();
        var key = channel + ":" + instId;
        byte[]? bytes = null;
        foreach (var s in _sessions.All)
        {
            if (s.Subscriptions.Contains(key))
            {
                s.Connection.Enqueue(bytes ??= frame());
            }
        }
    }

    private bool IsValid(string channel, string instId, OkxRoute route) => (channel == TradesAll) == (route == OkxRoute.Business) && channel switch
    {
        Trades or Tickers or TradesAll or BboTbt => _instruments.ContainsKey(instId),
        MarkPrice => _instruments.ContainsKey(instId) && !_instruments[instId].Spec.IsSpot,
        FundingRate => _instruments.TryGetValue(instId, out var p) && p.Spec.IsSwap,
        IndexTickers => _indices.Contains(instId),
        _ => false,
    };

    private void Reject(VenueConnection connection, string code, string message)
    {
        Stats?.CountProtocolError();
        LogRejected(_log, connection.Id, code, message);
        connection.Enqueue(OkxWire.Error(code, message, connection.Id));
    }

    private double SyntheticMarketNoise() => SyntheticMarketGaussian(_random);

    private static double SyntheticMarketGaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static DateTimeOffset Next(DateTimeOffset due, TimeSpan interval, DateTimeOffset now)
    {
        var next = due + interval;
        return next < now ? now + interval : next;
    }

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    [Conditional("DEBUG")]
    private void AssertGateHeld() => Debug.Assert(_gate.IsHeldByCurrentThread, "the feed must hold the protocol gate");

    [LoggerMessage(EventId = 7501, Level = LogLevel.Debug, Message = "OKX connection {ConnectionId}: {Op} applied, {Count} subscriptions")]
    private static partial void LogSubscriptionChanged(ILogger logger, long connectionId, string op, int count);

    [LoggerMessage(EventId = 7502, Level = LogLevel.Debug, Message = "OKX connection {ConnectionId}: rejected request ({Code}: {Message})")]
    private static partial void LogRejected(ILogger logger, long connectionId, string code, string message);

    private sealed class Session(VenueConnection connection, OkxRoute route) : IVenueSession
    {
        public VenueConnection Connection { get; } = connection;

        /// <summary>The endpoint the client connected to: <c>/ws/v5/public</c> or <c>/ws/v5/business</c>.</summary>
        public OkxRoute Route { get; } = route;

        /// <summary><c>channel:instId</c> pairs; read and written only under the gate.</summary>
        public HashSet<string> Subscriptions { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Instrument(OkxSyntheticInstrument spec, long firstTradeId)
    {
        public OkxSyntheticInstrument Spec { get; } = spec;

        public long LastTradeId = firstTradeId;
        public long LastTradeMs;
        public double Carry;
        public decimal Bid = SimDecimals.RoundToTick(spec.StartPrice, spec.TickSize);
        public decimal Ask = SimDecimals.RoundToTick(spec.StartPrice + spec.SpreadTicks * spec.TickSize, spec.TickSize);
        public decimal BidSize = SimDecimals.WithScale(spec.MeanTradeSize, 8);
        public decimal AskSize = SimDecimals.WithScale(spec.MeanTradeSize, 8);
        public decimal Last = SimDecimals.RoundToTick(spec.StartPrice, spec.TickSize);
        public decimal LastSize = SimDecimals.WithScale(spec.MeanTradeSize, 8);

        /// <summary>The best bid and ask <c>bbo-tbt</c> last pushed, and its sequence.</summary>
        public decimal PushedBid;
        public decimal PushedAsk;
        public long BboSeqId;
    }
}
