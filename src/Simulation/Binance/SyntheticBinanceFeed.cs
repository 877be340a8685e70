using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Binance;

/// <summary>
/// Generates Binance trades, aggregate trades, book tickers and (futures) mark prices from a <see cref="SyntheticMarket"/>.
/// Each step generates every trade that fell due since the previous step (a fractional carry per symbol), spreading their
/// timestamps over the step. A due trade is a taker order that fills <see cref="BinanceSimulatorOptions.MeanFillsPerTakerOrder"/>
/// makers on average at one price: each fill is a <c>trade</c> with the symbol's next trade id <c>t</c>, and the order is one
/// <c>aggTrade</c> with the next aggregate id <c>a</c>, the summed quantity and the first and last trade ids (<c>f</c>, <c>l</c>),
/// as the venue aggregates "for a single taker order". So both streams carry the same volume and VWAP, and <c>t</c> and
/// <c>a</c> are each contiguous per symbol until <see cref="SimulatorFaults.SkipSequence"/> makes them jump. Every order is
/// recorded for the REST trade lists (<see cref="BinanceRestApi"/>); <see cref="SimulatorFaults.DropTrades"/> withholds
/// whole taker orders from both streams.
/// </summary>
internal sealed class SyntheticBinanceFeed
{
    private const int MarkDecimals = 8;

    /// <summary>A taker order fills at most this many makers at one price (a bound on the geometric draw).</summary>
    private const int MaxFills = 20;

    private readonly BinanceSimProtocol _protocol;
    private readonly BinanceRestApi _rest;
    private readonly SimulatorFaults _faults;
    private readonly SyntheticVenueView _view;
    private readonly SyntheticMarket _market;
    private readonly BinanceSimulatorOptions _options;
    private readonly BinanceMarket _segment;
    private readonly Random _random;
    private readonly Symbol[] _symbols;

    public SyntheticBinanceFeed(BinanceSimulatorOptions options, BinanceSimProtocol protocol, BinanceRestApi rest, SimulatorFaults faults, DateTimeOffset start)
    {
        _options = options;
        _protocol = protocol;
        _rest = rest;
        _faults = faults;
        _segment = options.Segment;
        _market = options.Market ?? new SyntheticMarket(options.Seed);
        _view = _market.ForVenue(_segment.Name(), options.VenueBasisFraction, options.VenueNoiseFraction, options.Seed);
        _random = _view.Random;
        var specs = options.EffectiveSymbols;
        _symbols = new Symbol[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var instrument = spec.Instrument(_segment);
            _market.AddInstrument(instrument, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            var state = protocol.AddSymbol(spec.Symbol);
            state.LastTradeId = 100_000_000L * (i + 1);
            state.LastAggregateId = 10_000_000L * (i + 1);
            state.BookUpdateId = 1_000_000_000L * (i + 1);
            var scale = TickScale.Of(spec.TickSize);
            var price = RoundToTick(spec.StartPrice, spec.TickSize, scale);
            _symbols[i] = new Symbol(spec, state, instrument, scale, spec.IsDelivery(_segment))
            {
                BestBid = price,
                LastPrice = price,
                BestAsk = price + spec.SpreadTicks * spec.TickSize,
                NextBookTicker = options.BookTickerInterval is { } b ? start + b : null,
                NextMark1s = start + options.MarkPriceInterval,
                NextMark3s = start + 3 * options.MarkPriceInterval,
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
            foreach (var s in _symbols)
            {
                if (_faults.IsSilenced(s.Spec.Symbol))
                {
                    s.Carry = 0;
                    continue;
                }

                var n = _faults.TradesDue(s.Spec.Symbol, s.Spec.TradesPerSecond / _options.MeanFillsPerTakerOrder, dt, ref s.Carry);
                for (var i = 0; i < n; i++)
                {
                    var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (i + 1.0) / n));
                    Trade(s, at, lag);
                }

                if (s.NextBookTicker is { } due && to >= due)
                {
                    EmitBookTicker(s, to - lag);
                    s.NextBookTicker = Next(due, _options.BookTickerInterval!.Value, to);
                }

                if (_segment.IsFutures())
                {
                    if (to >= s.NextMark1s)
                    {
                        EmitMark(s, BinanceStreamType.MarkPrice1s, to, lag);
                        s.NextMark1s = Next(s.NextMark1s, _options.MarkPriceInterval, to);
                    }

                    if (to >= s.NextMark3s)
                    {
                        EmitMark(s, BinanceStreamType.MarkPrice, to, lag);
                        s.NextMark3s = Next(s.NextMark3s, 3 * _options.MarkPriceInterval, to);
                    }
                }
            }
        }
    }

    private void Trade(Symbol s, DateTimeOffset at, TimeSpan lag)
    {
        var spec = s.Spec;
        var tick = spec.TickSize;
        var quoteFactor = _faults.QuotePriceFactor(spec.Symbol);
        var tradeFactor = _faults.TakeTradePriceFactor(spec.Symbol);
        var mid = (decimal)_view.Mid(s.Instrument, at) * quoteFactor;
        var spread = spec.SpreadTicks * tick;
        var bid = Math.Max(tick, Math.Floor((mid - spread / 2) / tick) * tick);
        var ask = bid + spread;
        var takerBuys = _random.Next(2) == 0;
        (bid, ask, var price) = _faults.ShapeQuote(spec.Symbol, new SimQuote(s.BestBid, s.BestAsk, s.LastPrice), new SimQuote(bid, ask, takerBuys ? ask : bid));
        if (tradeFactor != quoteFactor)
        {
            price *= tradeFactor / quoteFactor; // a spike prints away from the quotes, for one trade
        }

        price = Math.Max(tick, RoundToTick(price, tick, s.Scale));
        s.BestBid = BinanceWire.WithScale(bid, s.Scale);
        s.BestAsk = BinanceWire.WithScale(ask, s.Scale);
        s.LastPrice = price;

        // A sequence skip makes both the trade id and the aggregate id jump, as a lost run of trades would.
        var state = s.State;
        var skip = _faults.TakeSequenceSkip(spec.Symbol);
        state.LastTradeId += skip;
        state.LastAggregateId += 1 + skip;
        var timeMs = (at - lag).ToUnixTimeMilliseconds();
        var fills = Fills();
        var firstTradeId = state.LastTradeId + 1;
        var quantity = 0m;
        Span<BinanceTrade> trades = stackalloc BinanceTrade[fills];
        for (var k = 0; k < fills; k++)
        {
            var size = TradeSize(spec);
            quantity += size;
            state.LastTradeId++;
            _protocol.Stats?.CountTraded(spec.Symbol, size, price);
            trades[k] = new BinanceTrade(state.LastTradeId, state.LastAggregateId, price, size, timeMs, timeMs, BuyerIsMaker: !takerBuys);
        }

        var order = new BinanceAggTrade(state.LastAggregateId, firstTradeId, state.LastTradeId, price, quantity, timeMs, timeMs, BuyerIsMaker: !takerBuys);

        // DropTrades counts taker orders: a withheld order leaves both streams, its fills and its aggregate, and REST keeps both.
        var drop = _faults.TakeTradeDrop(spec.Symbol);
        _rest.Record(spec.Symbol, trades, order, drop);
        if (drop == TradeDrop.None)
        {
            foreach (var trade in trades)
            {
                Publish(s, BinanceStreamType.Trade, static (stream, sym, seg, t) => BinanceWire.Trade(stream, sym, seg, t), trade);
            }

            Publish(s, BinanceStreamType.AggTrade, static (stream, sym, seg, t) => BinanceWire.AggTrade(stream, sym, seg, t), order);
        }

        if (s.NextBookTicker is null)
        {
            EmitBookTicker(s, at - lag);
        }
    }

    /// <summary>Fills of one taker order: 1 + a geometric count, so the mean is <see cref="BinanceSimulatorOptions.MeanFillsPerTakerOrder"/>.</summary>
    private int Fills()
    {
        var more = 1.0 - 1.0 / _options.MeanFillsPerTakerOrder; // the chance of one more fill
        var n = 1;
        while (n < MaxFills && _random.NextDouble() < more)
        {
            n++;
        }

        return n;
    }

    private decimal TradeSize(BinanceSyntheticSymbol spec)
    {
        var minSize = spec.SizeDecimals == 0 ? 1m : 1m / Pow10(spec.SizeDecimals);
        return BinanceWire.WithScale(
            Math.Max(minSize, (decimal)(-Math.Log(1.0 - _random.NextDouble())) * spec.MeanTradeSize),
            spec.SizeDecimals);
    }

    private void Publish<T>(Symbol s, BinanceStreamType type, Func<string, string, BinanceMarket, T, byte[]> write, in T trade)
    {
        var stream = s.State.Stream(type);
        if (_protocol.AnySubscribed(stream))
        {
            var frame = write(stream, s.Spec.Symbol, _segment, trade);
            _protocol.Deliver(stream, frame);
            if (_faults.DuplicatesTrades(s.Spec.Symbol))
            {
                _protocol.Deliver(stream, frame); // the same trade and aggregate ids again, as a venue resend
            }
        }
    }

    private void EmitBookTicker(Symbol s, DateTimeOffset exchangeTime)
    {
        var state = s.State;
        state.BookUpdateId += 1 + _random.Next(5); // book update ids are not contiguous per quote
        var stream = state.Stream(BinanceStreamType.BookTicker);
        if (!_protocol.AnySubscribed(stream) || _faults.AreQuotesSilenced(s.Spec.Symbol))
        {
            return;
        }

        var timeMs = exchangeTime.ToUnixTimeMilliseconds();
        var quote = new BinanceBookTicker(state.BookUpdateId, s.BestBid, QuoteSize(s), s.BestAsk, QuoteSize(s), timeMs, timeMs);
        _protocol.Deliver(stream, BinanceWire.BookTicker(stream, s.Spec.Symbol, _segment, quote));
    }

    private void EmitMark(Symbol s, BinanceStreamType type, DateTimeOffset at, TimeSpan lag)
    {
        var stream = s.State.Stream(type);
        if (!_protocol.AnySubscribed(stream))
        {
            return;
        }

        var factor = _faults.QuotePriceFactor(s.Spec.Symbol);
        var mark = BinanceWire.WithScale((decimal)_view.Mid(s.Instrument, at) * factor, MarkDecimals);
        var index = BinanceWire.WithScale((decimal)_market.Mid(s.Instrument, at), MarkDecimals); // the shared fair, no venue basis
        var timeMs = (at - lag).ToUnixTimeMilliseconds();
        var eightHours = (long)TimeSpan.FromHours(8).TotalMilliseconds;
        var m = new BinanceMarkPrice(mark, index, index, s.IsDelivery ? null : BinanceWire.WithScale(_options.FundingRate, MarkDecimals),
            s.IsDelivery ? 0 : (timeMs / eightHours + 1) * eightHours, timeMs);
        _protocol.Deliver(stream, BinanceWire.MarkPrice(stream, s.Spec.Symbol, m));
    }

    private decimal QuoteSize(Symbol s) =>
        BinanceWire.WithScale(Math.Max(s.Spec.SizeDecimals == 0 ? 1m : 0m, (decimal)(_random.NextDouble() * 4 + 0.01) * s.Spec.MeanTradeSize), s.Spec.SizeDecimals);

    private static DateTimeOffset Next(DateTimeOffset due, TimeSpan interval, DateTimeOffset now)
    {
        var next = due + interval;
        return next < now ? now + interval : next;
    }

    private static decimal RoundToTick(decimal value, decimal tick, int scale) =>
        BinanceWire.WithScale(Math.Round(value / tick, 0, MidpointRounding.ToEven) * tick, scale);

    private static decimal Pow10(int n)
    {
        var r = 1m;
        for (var i = 0; i < n; i++)
        {
            r *= 10m;
        }

        return r;
    }

    private sealed class Symbol(BinanceSyntheticSymbol spec, BinanceSymbolState state, string instrument, int scale, bool isDelivery)
    {
        public BinanceSyntheticSymbol Spec { get; } = spec;
        public BinanceSymbolState State { get; } = state;
        public string Instrument { get; } = instrument;
        public int Scale { get; } = scale;
        public bool IsDelivery { get; } = isDelivery;
        public decimal BestBid;
        public decimal BestAsk;
        public decimal LastPrice;
        public double Carry;
        public DateTimeOffset? NextBookTicker;
        public DateTimeOffset NextMark1s;
        public DateTimeOffset NextMark3s;
    }
}
