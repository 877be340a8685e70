using System.Globalization;
using System.Text.Json;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// Replays a recorded Coinbase feed (cryptofeed raw format: <c>&lt;unix-secs&gt;: &lt;json&gt;</c> lines) in a loop, keeping the
/// recorded spacing (divided by the speed-up). Only <c>match</c>, <c>ticker</c> and <c>heartbeat</c> are relayed; recorded
/// <c>last_match</c> messages seed what a new subscriber is sent first. Every relayed message gets the current exchange time;
/// trade ids and sequences are shifted by the loop number times each product's recorded range, so they keep increasing.
/// When the recording has no heartbeats, one per product is generated each heartbeat interval with the product's current
/// sequence and last trade id.
/// </summary>
internal sealed class ReplayCoinbaseFeed : ICoinbaseFeed
{
    private const int MaxMessagesPerStep = 100_000;

    private readonly CoinbaseProtocol _protocol;
    private readonly SimulatorFaults _faults;
    private readonly CoinbaseSimulatorOptions _options;
    private readonly List<Item> _items;
    private readonly Dictionary<string, ProductReplay> _products = new(StringComparer.Ordinal);
    private readonly double _periodSeconds;
    private readonly bool _generateHeartbeats;
    private readonly DateTimeOffset _start;
    private int _index;
    private long _loop;

    public ReplayCoinbaseFeed(CoinbaseSimulatorOptions options, CoinbaseProtocol protocol, SimulatorFaults faults, DateTimeOffset start)
    {
        _options = options;
        _protocol = protocol;
        _faults = faults;
        _start = start;
        _items = Load(options.ReplayFile!);
        if (_items.Count == 0)
        {
            throw new InvalidDataException($"{CoinbaseSimulatorOptions.SectionName}:{nameof(options.ReplayFile)} '{options.ReplayFile}' holds no match, last_match, ticker or heartbeat messages.");
        }

        _periodSeconds = _items[^1].Offset + options.ReplayLoopGap.TotalSeconds;
        if (_periodSeconds <= 0)
        {
            _periodSeconds = 1; // a one-instant recording still loops, once a (recorded) second
        }

        foreach (var item in _items)
        {
            if (!_products.TryGetValue(item.ProductId, out var pr))
            {
                pr = new ProductReplay(protocol.AddProduct(item.ProductId));
                _products.Add(item.ProductId, pr);
            }

            pr.Include(item.TradeId, item.Sequence);
            if (item.Kind == Kind.LastMatch && pr.State.LastMatch is null)
            {
                var m = item.Match;
                m.Time = start.UtcDateTime;
                pr.State.LastMatch = m;
                pr.State.LastTradeId = m.TradeId;
                pr.State.Sequence = m.Sequence;
            }
        }

        _generateHeartbeats = !_items.Exists(i => i.Kind == Kind.Heartbeat);
        foreach (var pr in _products.Values)
        {
            pr.NextHeartbeat = start + options.HeartbeatInterval;
        }
    }

    /// <summary>Messages relayed per loop (excluding <c>last_match</c>).</summary>
    public int MessagesPerLoop => _items.Count(i => i.Kind != Kind.LastMatch);

    public void Step(DateTimeOffset from, DateTimeOffset to)
    {
        var elapsed = (to - _start).TotalSeconds * _options.ReplaySpeed;
        lock (_protocol.Gate)
        {
            for (var emitted = 0; emitted < MaxMessagesPerStep; emitted++)
            {
                var item = _items[_index];
                if (_loop * _periodSeconds + item.Offset > elapsed)
                {
                    break;
                }

                Emit(item);
                if (++_index == _items.Count)
                {
                    _index = 0;
                    _loop++;
                }
            }

            if (!_generateHeartbeats)
            {
                return;
            }

            var now = _protocol.ExchangeNow();
            foreach (var pr in _products.Values)
            {
                if (to < pr.NextHeartbeat)
                {
                    continue;
                }

                pr.NextHeartbeat += _options.HeartbeatInterval;
                if (pr.NextHeartbeat < to)
                {
                    pr.NextHeartbeat = to + _options.HeartbeatInterval;
                }

                if (!_faults.IsSilenced(pr.State.ProductId))
                {
                    _protocol.PublishHeartbeat(pr.State, pr.State.Sequence, now);
                }
            }
        }
    }

    private void Emit(Item item)
    {
        if (item.Kind == Kind.LastMatch || _faults.IsSilenced(item.ProductId))
        {
            return;
        }

        var pr = _products[item.ProductId];
        pr.SequenceSkip += _faults.TakeSequenceSkip(item.ProductId);
        var sequence = item.Sequence + _loop * pr.SequenceStride + pr.SequenceSkip;
        var tradeId = item.TradeId + _loop * pr.TradeStride;
        var now = _protocol.ExchangeNow();
        var state = pr.State;
        state.Sequence = Math.Max(state.Sequence, sequence);
        switch (item.Kind)
        {
            case Kind.Match:
            {
                var m = item.Match;
                m.TradeId = tradeId;
                m.Sequence = sequence;
                m.Time = now;
                m.Price = Scaled(m.Price, _faults.TakeTradePriceFactor(item.ProductId));
                _protocol.PublishMatch(state, m);
                break;
            }

            case Kind.Ticker:
            {
                var t = item.Ticker;
                var f = _faults.QuotePriceFactor(item.ProductId);
                t.TradeId = tradeId;
                t.Sequence = sequence;
                t.Time = now;
                t.Price = Scaled(t.Price, f);
                t.BestBid = t.BestBid is { } b ? Scaled(b, f) : null;
                t.BestAsk = t.BestAsk is { } a ? Scaled(a, f) : null;
                _protocol.PublishTicker(state, t);
                break;
            }

            case Kind.Heartbeat:
                state.LastTradeId = Math.Max(state.LastTradeId, tradeId);
                _protocol.PublishHeartbeat(state, sequence, now);
                break;
        }
    }

    /// <summary>Applies a fault factor and keeps the recorded number of decimals.</summary>
    private static decimal Scaled(decimal price, decimal factor) =>
        factor == 1m ? price : CoinbaseWire.WithScale(price * factor, price.Scale);

    internal static List<Item> Load(string path)
    {
        var items = new List<Item>();
        double? first = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || !char.IsAsciiDigit(line[0]))
            {
                continue; // connection and sent-request lines start with the URL
            }

            var sep = line.IndexOf(": ", StringComparison.Ordinal);
            if (sep <= 0 || !double.TryParse(line.AsSpan(0, sep), NumberStyles.Float, CultureInfo.InvariantCulture, out var secs))
            {
                continue;
            }

            Item? item;
            try
            {
                item = Parse(line.AsMemory(sep + 2));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or OverflowException or KeyNotFoundException)
            {
                continue; // a recorded frame we cannot read is skipped, not fatal
            }

            if (item is null)
            {
                continue;
            }

            first ??= secs;
            item.Offset = secs - first.Value;
            items.Add(item);
        }

        return items;
    }

    private static Item? Parse(ReadOnlyMemory<char> json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        var type = r.GetProperty("type").GetString();
        switch (type)
        {
            case "match":
            case "last_match":
            {
                var m = new CoinbaseMatch
                {
                    TradeId = r.GetProperty("trade_id").GetInt64(),
                    MakerOrderId = r.TryGetProperty("maker_order_id", out var mo) ? mo.GetGuid() : Guid.Empty,
                    TakerOrderId = r.TryGetProperty("taker_order_id", out var to) ? to.GetGuid() : Guid.Empty,
                    MakerIsBuy = r.GetProperty("side").GetString() == "buy",
                    Size = Dec(r, "size"),
                    Price = Dec(r, "price"),
                    ProductId = r.GetProperty("product_id").GetString()!,
                    Sequence = r.GetProperty("sequence").GetInt64(),
                };
                return new Item
                {
                    Kind = type == "match" ? Kind.Match : Kind.LastMatch,
                    ProductId = m.ProductId,
                    TradeId = m.TradeId,
                    Sequence = m.Sequence,
                    Match = m,
                };
            }

            case "ticker":
            {
                var t = new CoinbaseTicker
                {
                    Sequence = r.GetProperty("sequence").GetInt64(),
                    ProductId = r.GetProperty("product_id").GetString()!,
                    Price = Dec(r, "price"),
                    Open24h = Dec(r, "open_24h"),
                    Volume24h = Dec(r, "volume_24h"),
                    Low24h = Dec(r, "low_24h"),
                    High24h = Dec(r, "high_24h"),
                    Volume30d = Dec(r, "volume_30d"),
                    BestBid = OptDec(r, "best_bid"),
                    BestBidSize = OptDec(r, "best_bid_size"),
                    BestAsk = OptDec(r, "best_ask"),
                    BestAskSize = OptDec(r, "best_ask_size"),
                    TakerIsBuy = r.GetProperty("side").GetString() == "buy",
                    TradeId = r.TryGetProperty("trade_id", out var tid) ? tid.GetInt64() : 0,
                    LastSize = OptDec(r, "last_size") ?? 0m,
                };
                return new Item { Kind = Kind.Ticker, ProductId = t.ProductId, TradeId = t.TradeId, Sequence = t.Sequence, Ticker = t };
            }

            case "heartbeat":
                return new Item
                {
                    Kind = Kind.Heartbeat,
                    ProductId = r.GetProperty("product_id").GetString()!,
                    TradeId = r.GetProperty("last_trade_id").GetInt64(),
                    Sequence = r.GetProperty("sequence").GetInt64(),
                };

            default:
                return null;
        }
    }

    private static decimal Dec(JsonElement r, string name) =>
        decimal.Parse(r.GetProperty(name).GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static decimal? OptDec(JsonElement r, string name) =>
        r.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String
            ? decimal.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    internal enum Kind
    {
        Match,
        LastMatch,
        Ticker,
        Heartbeat,
    }

    internal sealed class Item
    {
        public double Offset;
        public Kind Kind;
        public string ProductId = "";
        public long TradeId;
        public long Sequence;
        public CoinbaseMatch Match;
        public CoinbaseTicker Ticker;
    }

    private sealed class ProductReplay(CoinbaseProductState state)
    {
        private long _minTrade = long.MaxValue;
        private long _maxTrade = long.MinValue;
        private long _minSeq = long.MaxValue;
        private long _maxSeq = long.MinValue;

        public CoinbaseProductState State { get; } = state;

        public long SequenceSkip;
        public DateTimeOffset NextHeartbeat;

        public long TradeStride => _maxTrade >= _minTrade ? _maxTrade - _minTrade + 1 : 0;

        public long SequenceStride => _maxSeq >= _minSeq ? _maxSeq - _minSeq + 1 : 0;

        public void Include(long tradeId, long sequence)
        {
            if (tradeId > 0)
            {
                _minTrade = Math.Min(_minTrade, tradeId);
                _maxTrade = Math.Max(_maxTrade, tradeId);
            }

            _minSeq = Math.Min(_minSeq, sequence);
            _maxSeq = Math.Max(_maxSeq, sequence);
        }
    }
}
