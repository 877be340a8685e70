using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Kraken;

/// <summary>
/// Generates Kraken v2 trades, tickers and heartbeats from a <see cref="SyntheticMarket"/>. Each step generates every trade that
/// fell due since the previous step (a fractional carry per pair), spreads their timestamps over the step and sends them as one
/// batched <c>trade</c> message per pair, as Kraken batches trades. Trade ids are contiguous per pair.
/// </summary>
internal sealed class SyntheticKrakenFeed
{
    private readonly KrakenProtocol _protocol;
    private readonly SimulatorFaults _faults;
    private readonly SyntheticVenueView _view;
    private readonly Pair[] _pairs;
    private readonly KrakenSimulatorOptions _options;
    private readonly Random _random;
    private readonly List<KrakenTrade> _batch = [];
    private DateTimeOffset _nextHeartbeat;

    public SyntheticKrakenFeed(KrakenSimulatorOptions options, KrakenProtocol protocol, SimulatorFaults faults, DateTimeOffset start)
    {
        _options = options;
        _protocol = protocol;
        _faults = faults;
        var market = options.Market ?? new SyntheticMarket(options.Seed);
        _view = market.ForVenue(KrakenSimulator.VenueName, options.VenueBasisFraction, options.VenueNoiseFraction, options.Seed);
        _random = _view.Random;
        _nextHeartbeat = start + options.HeartbeatInterval;
        var specs = options.EffectivePairs;
        _pairs = new Pair[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            market.AddInstrument(spec.Instrument, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            var state = protocol.AddPair(spec.Symbol);
            state.LastTradeId = 1_000_000 * (i + 1);
            var scale = KrakenWire.ScaleOf(spec.TickSize);
            _pairs[i] = new Pair(spec, state, scale, KrakenWire.RoundToTick(spec.StartPrice, spec.TickSize, scale), start, options.TickerInterval);
        }

        // A pair has a ticker from the start (its book at the start price), so a ticker subscription always gets its
        // snapshot first, as on the venue, even before the pair's first trade (no one is subscribed yet to get an update).
        lock (protocol.Gate)
        {
            foreach (var p in _pairs)
            {
                EmitTicker(p, start.UtcDateTime, traded: false, bboChanged: false);
            }
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
            foreach (var p in _pairs)
            {
                if (_faults.IsSilenced(p.Spec.Symbol))
                {
                    p.Carry = 0;
                    continue;
                }

                var n = _faults.TradesDue(p.Spec.Symbol, p.Spec.TradesPerSecond, dt, ref p.Carry);
                _batch.Clear();
                for (var i = 0; i < n; i++)
                {
                    var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (i + 1.0) / n));
                    _batch.Add(Trade(p, at, lag));
                }

                _protocol.PublishTrades(p.State, _batch);
                var tickerDue = p.NextTicker is { } due ? to >= due : n > 0;
                // The synthetic book moves with its trades: a bbo-triggered ticker follows a change of the best bid or ask.
                var bboChanged = p.Bid != p.TickedBid || p.Ask != p.TickedAsk;
                if (tickerDue || bboChanged)
                {
                    EmitTicker(p, (to - lag).UtcDateTime, tickerDue, bboChanged);
                }

                if (tickerDue && p.NextTicker is { } next)
                {
                    p.NextTicker = next + _options.TickerInterval!.Value;
                    if (p.NextTicker < to)
                    {
                        p.NextTicker = to + _options.TickerInterval!.Value;
                    }
                }
            }

            if (to >= _nextHeartbeat)
            {
                _protocol.PublishHeartbeat();
                _nextHeartbeat += _options.HeartbeatInterval;
                if (_nextHeartbeat < to)
                {
                    _nextHeartbeat = to + _options.HeartbeatInterval;
                }
            }
        }
    }

    private KrakenTrade Trade(Pair p, DateTimeOffset at, TimeSpan lag)
    {
        var spec = p.Spec;
        var tick = spec.TickSize;
        var quoteFactor = _faults.QuotePriceFactor(spec.Symbol);
        var tradeFactor = _faults.TakeTradePriceFactor(spec.Symbol);
        var mid = (decimal)_view.Mid(spec.Instrument, at) * quoteFactor;
        var spread = spec.SpreadTicks * tick;
        var bid = Math.Max(tick, Math.Floor((mid - spread / 2) / tick) * tick);
        var ask = bid + spread;
        var takerBuys = _random.Next(2) == 0;
        (bid, ask, var price) = _faults.ShapeQuote(spec.Symbol, new SimQuote(p.Bid, p.Ask, p.Last), new SimQuote(bid, ask, takerBuys ? ask : bid));
        if (tradeFactor != quoteFactor)
        {
            price *= tradeFactor / quoteFactor; // a spike prints away from the quotes, for one trade
        }

        price = Math.Max(tick, KrakenWire.RoundToTick(price, tick, p.Scale));
        var qty = KrakenWire.WithScale(Math.Max(0.00000001m, (decimal)(-Math.Log(1.0 - _random.NextDouble())) * spec.MeanTradeSize), 8);
        p.Bid = KrakenWire.WithScale(bid, p.Scale);
        p.Ask = KrakenWire.WithScale(ask, p.Scale);
        p.Last = price;
        p.High = Math.Max(p.High, price);
        p.Low = Math.Min(p.Low, price);
        p.Volume += qty;
        p.Notional += qty * price;
        return new KrakenTrade(spec.Symbol, takerBuys, price, qty, _random.Next(3) == 0, _protocol.NextTradeId(p.State), (at - lag).UtcDateTime);
    }

    private void EmitTicker(Pair p, DateTime time, bool traded, bool bboChanged)
    {
        if (_faults.AreQuotesSilenced(p.Spec.Symbol))
        {
            return;
        }

        p.TickedBid = p.Bid;
        p.TickedAsk = p.Ask;
        var change = p.Last - p.Open;
        var ticker = new KrakenTicker(
            p.Spec.Symbol,
            p.Bid,
            KrakenWire.WithScale((decimal)(_random.NextDouble() * 4 + 0.01) * p.Spec.MeanTradeSize, 8),
            p.Ask,
            KrakenWire.WithScale((decimal)(_random.NextDouble() * 4 + 0.01) * p.Spec.MeanTradeSize, 8),
            p.Last,
            KrakenWire.WithScale(p.Volume, 8),
            p.Volume > 0 ? KrakenWire.WithScale(p.Notional / p.Volume, p.Scale) : p.Last,
            p.Low,
            p.High,
            KrakenWire.WithScale(change, p.Scale),
            p.Open > 0 ? Math.Round(change / p.Open * 100m, 2) : 0m,
            time);
        _protocol.PublishTicker(p.State, ticker, traded, bboChanged);
    }

    private sealed class Pair(KrakenSyntheticPair spec, KrakenPairState state, int scale, decimal price, DateTimeOffset start, TimeSpan? ticker)
    {
        public KrakenSyntheticPair Spec { get; } = spec;
        public KrakenPairState State { get; } = state;
        public int Scale { get; } = scale;
        public decimal Open { get; } = price;
        public decimal Last = price;
        public decimal High = price;
        public decimal Low = price;
        public decimal Bid = price;
        public decimal Ask = price + spec.SpreadTicks * spec.TickSize;

        /// <summary>The best bid and ask the last ticker carried, for <c>event_trigger: bbo</c>.</summary>
        public decimal TickedBid = price;
        public decimal TickedAsk = price + spec.SpreadTicks * spec.TickSize;
        public decimal Volume;
        public decimal Notional;
        public double Carry;
        public DateTimeOffset? NextTicker = ticker is { } t ? start + t : null;
    }
}
