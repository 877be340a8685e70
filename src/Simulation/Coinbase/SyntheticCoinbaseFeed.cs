using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>
/// Generates Coinbase trades, tickers and heartbeats from a <see cref="SyntheticMarket"/>. Each step generates every trade
/// that fell due since the previous step (a fractional carry per product), spreading their timestamps over the step, so a
/// high rate costs one timer, not one timer per message. Every message a product emits takes the product's next sequence,
/// so a client subscribed to all three channels of a product sees a gap-free sequence.
/// </summary>
internal sealed class SyntheticCoinbaseFeed : ICoinbaseFeed
{
    private readonly CoinbaseProtocol _protocol;
    private readonly SimulatorFaults _faults;
    private readonly SyntheticVenueView _view;
    private readonly Product[] _products;
    private readonly CoinbaseSimulatorOptions _options;
    private readonly Random _random;

    public SyntheticCoinbaseFeed(CoinbaseSimulatorOptions options, CoinbaseProtocol protocol, SimulatorFaults faults, DateTimeOffset start)
    {
        _options = options;
        _protocol = protocol;
        _faults = faults;
        var market = options.Market ?? new SyntheticMarket(options.Seed);
        _view = market.ForVenue("coinbase", options.VenueBasisFraction, options.VenueNoiseFraction, options.Seed);
        _random = _view.Random;
        var specs = options.EffectiveProducts;
        _products = new Product[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            market.AddInstrument(spec.Instrument, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            var state = protocol.AddProduct(spec.ProductId);
            var scale = CoinbaseWire.ScaleOf(spec.TickSize);
            var price = CoinbaseWire.RoundToTick(spec.StartPrice, spec.TickSize, scale);
            var product = new Product(spec, state, scale, price, start, options.HeartbeatInterval, options.TickerInterval);
            _products[i] = product;

            // Coinbase always has a last trade to show a new subscriber; seed one at the start price.
            state.LastTradeId = 1000 * (i + 1);
            state.Sequence = 100_000 * (i + 1);
            state.LastMatch = new CoinbaseMatch
            {
                TradeId = state.LastTradeId,
                MakerOrderId = NewOrderId(),
                TakerOrderId = NewOrderId(),
                MakerIsBuy = true,
                Size = CoinbaseWire.WithScale(spec.MeanTradeSize, 8),
                Price = price,
                ProductId = spec.ProductId,
                Sequence = state.Sequence,
                Time = start.UtcDateTime,
            };
        }
    }

    public void Step(DateTimeOffset from, DateTimeOffset to)
    {
        var dt = (to - from).TotalSeconds;
        if (dt <= 0)
        {
            return;
        }

        var lag = _faults.Latency;
        lock (_protocol.Gate)
        {
            foreach (var p in _products)
            {
                if (_faults.IsSilenced(p.Spec.ProductId))
                {
                    p.Carry = 0;
                    p.NextHeartbeat = to + _options.HeartbeatInterval;
                    continue;
                }

                var n = _faults.TradesDue(p.Spec.ProductId, p.Spec.TradesPerSecond, dt, ref p.Carry);
                for (var i = 0; i < n; i++)
                {
                    var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (i + 1.0) / n));
                    Trade(p, at, lag);
                }

                if (p.NextTicker is { } due && to >= due)
                {
                    EmitTicker(p, (to - lag).UtcDateTime);
                    p.NextTicker = due + _options.TickerInterval!.Value;
                    if (p.NextTicker < to)
                    {
                        p.NextTicker = to + _options.TickerInterval!.Value;
                    }
                }

                if (to >= p.NextHeartbeat)
                {
                    _protocol.PublishHeartbeat(p.State, _protocol.NextSequence(p.State), (to - lag).UtcDateTime);
                    p.NextHeartbeat += _options.HeartbeatInterval;
                    if (p.NextHeartbeat < to)
                    {
                        p.NextHeartbeat = to + _options.HeartbeatInterval;
                    }
                }
            }
        }
    }

    private void Trade(Product p, DateTimeOffset at, TimeSpan lag)
    {
        var spec = p.Spec;
        var tick = spec.TickSize;
        var quoteFactor = _faults.QuotePriceFactor(spec.ProductId);
        var tradeFactor = _faults.TakeTradePriceFactor(spec.ProductId);
        var mid = (decimal)_view.Mid(spec.Instrument, at) * quoteFactor;
        var spread = spec.SpreadTicks * tick;
        var bid = Math.Max(tick, Math.Floor((mid - spread / 2) / tick) * tick);
        var ask = bid + spread;
        var takerBuys = _random.Next(2) == 0;
        var previous = new SimQuote(p.BestBid, p.BestAsk, p.State.LastMatch?.Price ?? bid);
        (bid, ask, var price) = _faults.ShapeQuote(spec.ProductId, previous, new SimQuote(bid, ask, takerBuys ? ask : bid));
        if (tradeFactor != quoteFactor)
        {
            price *= tradeFactor / quoteFactor; // a spike prints away from the quotes, for one trade
        }

        price = Math.Max(tick, CoinbaseWire.RoundToTick(price, tick, p.Scale));
        var size = CoinbaseWire.WithScale(Math.Max(0.00000001m, (decimal)(-Math.Log(1.0 - _random.NextDouble())) * spec.MeanTradeSize), 8);

        p.BestBid = CoinbaseWire.WithScale(bid, p.Scale);
        p.BestAsk = CoinbaseWire.WithScale(ask, p.Scale);
        p.High = Math.Max(p.High, price);
        p.Low = Math.Min(p.Low, price);
        p.Volume24h += size;
        p.Volume30d += size;
        p.LastTakerBuys = takerBuys;

        var state = p.State;
        var sequence = _protocol.NextSequence(state);
        var tradeId = state.LastTradeId + 1 + state.PendingTradeSkip;
        state.PendingTradeSkip = 0;
        var match = new CoinbaseMatch
        {
            TradeId = tradeId,
            MakerOrderId = NewOrderId(),
            TakerOrderId = NewOrderId(),
            MakerIsBuy = !takerBuys,
            Size = size,
            Price = price,
            ProductId = spec.ProductId,
            Sequence = sequence,
            Time = (at - lag).UtcDateTime,
        };
        // A withheld trade shows in no ticker either: its id would give it away.
        if (_protocol.PublishMatch(state, match) && p.NextTicker is null)
        {
            EmitTicker(p, match.Time);
        }
    }

    private void EmitTicker(Product p, DateTime time)
    {
        if (p.State.LastMatch is not { } last || _faults.AreQuotesSilenced(p.Spec.ProductId))
        {
            return;
        }

        var ticker = new CoinbaseTicker
        {
            Sequence = _protocol.NextSequence(p.State),
            ProductId = p.Spec.ProductId,
            Price = last.Price,
            Open24h = p.Open,
            Volume24h = p.Volume24h,
            Low24h = p.Low,
            High24h = p.High,
            Volume30d = p.Volume30d,
            BestBid = p.BestBid,
            BestBidSize = CoinbaseWire.WithScale((decimal)(_random.NextDouble() * 4 + 0.01) * p.Spec.MeanTradeSize, 8),
            BestAsk = p.BestAsk,
            BestAskSize = CoinbaseWire.WithScale((decimal)(_random.NextDouble() * 4 + 0.01) * p.Spec.MeanTradeSize, 8),
            TakerIsBuy = p.LastTakerBuys,
            Time = time,
            TradeId = last.TradeId,
            LastSize = last.Size,
        };
        _protocol.PublishTicker(p.State, ticker);
    }

    private Guid NewOrderId()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4, as the venue's order ids are
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private sealed class Product
    {
        public Product(CoinbaseSyntheticProduct spec, CoinbaseProductState state, int scale, decimal price, DateTimeOffset start, TimeSpan heartbeat, TimeSpan? ticker)
        {
            Spec = spec;
            State = state;
            Scale = scale;
            Open = price;
            High = price;
            Low = price;
            BestBid = price;
            BestAsk = price + spec.SpreadTicks * spec.TickSize;
            Volume24h = CoinbaseWire.WithScale(spec.MeanTradeSize * 100_000m, 8);
            Volume30d = CoinbaseWire.WithScale(spec.MeanTradeSize * 3_000_000m, 8);
            NextHeartbeat = start + heartbeat;
            NextTicker = ticker is { } t ? start + t : null;
        }

        public CoinbaseSyntheticProduct Spec { get; }

        public CoinbaseProductState State { get; }

        public int Scale { get; }

        public decimal Open { get; }

        public decimal High;
        public decimal Low;
        public decimal BestBid;
        public decimal BestAsk;
        public decimal Volume24h;
        public decimal Volume30d;
        public bool LastTakerBuys;
        public double Carry;
        public DateTimeOffset NextHeartbeat;
        public DateTimeOffset? NextTicker;
    }
}

/// <summary>A source of Coinbase messages driven by the simulator's step loop.</summary>
internal interface ICoinbaseFeed
{
    /// <summary>Emits everything due in (<paramref name="from"/>, <paramref name="to"/>].</summary>
    void Step(DateTimeOffset from, DateTimeOffset to);
}
