using System.Runtime.InteropServices;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Deribit;

/// <summary>
/// Generates Deribit trades and tickers from a <see cref="SyntheticMarket"/>. Each step generates every trade that fell due
/// since the previous step (a fractional carry per instrument) and sends an instrument's trades of the step as one
/// <c>trades</c> notification, as Deribit batches them. <c>trade_seq</c> is contiguous per instrument (apart from
/// <see cref="SimulatorFaults.SkipSequence"/>); <c>trade_id</c> is venue-wide. Prices: perpetuals follow this venue's
/// view of the walk, futures add <see cref="DeribitSyntheticInstrument.FutureBasis"/>, options are priced in the base
/// currency from a rough Black-Scholes-like value at <see cref="DeribitSyntheticInstrument.MarkIv"/>. The index is the shared
/// walk itself (no venue basis), as Deribit's index is a composite of other venues.
/// </summary>
internal sealed class SyntheticDeribitFeed
{
    private readonly DeribitRpcProtocol _protocol;
    private readonly SimulatorFaults _faults;
    private readonly SyntheticVenueView _view;
    private readonly Random _random;
    private readonly Instrument[] _instruments;
    private readonly DeribitSimulatorOptions _options;
    private long _lastTradeId = 300_000_000;

    public SyntheticDeribitFeed(DeribitSimulatorOptions options, DeribitRpcProtocol protocol, SimulatorFaults faults, DateTimeOffset start)
    {
        _options = options;
        _protocol = protocol;
        _faults = faults;
        var market = options.Market ?? new SyntheticMarket(options.Seed);
        _view = market.ForVenue("deribit", options.VenueBasisFraction, options.VenueNoiseFraction, options.Seed);
        _random = _view.Random;
        var specs = options.EffectiveInstruments;
        _instruments = new Instrument[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            market.AddInstrument(spec.Underlying, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            protocol.AddInstrument(spec.InstrumentName);
            _instruments[i] = new Instrument(spec, start + options.TickerInterval) { TradeSeq = 1_000 * (i + 1) };
        }
    }

    /// <summary>
    /// Every trade printed, or withheld by <see cref="SimulatorFaults.DropTrades"/> (one trade is one element of a
    /// <c>trades</c> notification and one row of <c>get_last_trades_by_instrument</c>), for the REST API.
    /// </summary>
    public TradeHistory<DeribitHistoricTrade> History { get; } = new();

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
            foreach (var inst in _instruments)
            {
                var name = inst.Spec.InstrumentName;
                if (_faults.IsSilenced(name))
                {
                    inst.Carry = 0;
                    inst.NextTicker = to + _options.TickerInterval;
                    continue;
                }

                var n = _faults.TradesDue(inst.Spec.InstrumentName, inst.Spec.TradesPerSecond, dt, ref inst.Carry);
                if (n > 0)
                {
                    var trades = new List<DeribitTrade>(n);
                    for (var k = 0; k < n; k++)
                    {
                        var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (k + 1.0) / n));
                        var trade = Trade(inst, at, lag);
                        var drop = _faults.TakeTradeDrop(name);
                        History.Record(name, new DeribitHistoricTrade(trade), drop);
                        if (drop == TradeDrop.None)
                        {
                            trades.Add(trade);
                        }
                    }

                    var stream = "trades." + name;
                    if (trades.Count > 0 && _protocol.AnySubscribed(stream))
                    {
                        _protocol.Deliver(stream, channel => DeribitWire.Trades(channel, name, CollectionsMarshal.AsSpan(trades)));
                    }
                }

                Quote(inst, to, lag);
                if (to >= inst.NextTicker)
                {
                    Ticker(inst, to, lag);
                    inst.NextTicker += _options.TickerInterval;
                    if (inst.NextTicker < to)
                    {
                        inst.NextTicker = to + _options.TickerInterval;
                    }
                }
            }
        }
    }

    private DeribitTrade Trade(Instrument inst, DateTimeOffset at, TimeSpan lag)
    {
        var spec = inst.Spec;
        var quoteFactor = _faults.QuotePriceFactor(spec.InstrumentName);
        var tradeFactor = _faults.TakeTradePriceFactor(spec.InstrumentName);
        var (bid, ask, mark, index) = Book(inst, at, quoteFactor);
        var takerBuys = _random.Next(2) == 0;
        var price = takerBuys ? ask : bid;
        if (tradeFactor != quoteFactor)
        {
            price = DeribitWire.RoundToStep(price * tradeFactor / quoteFactor, spec.TickSize, inst.PriceScale); // one trade away from the book
        }

        price = Math.Max(spec.TickSize, price);
        var raw = (decimal)(-Math.Log(1.0 - _random.NextDouble())) * spec.MeanAmount;
        var amount = Math.Max(spec.AmountStep, DeribitWire.RoundToStep(raw, spec.AmountStep, inst.AmountScale));
        amount = DeribitWire.WithScale(amount, inst.AmountScale);
        inst.TradeSeq += 1 + _faults.TakeSequenceSkip(spec.InstrumentName);
        var tickDirection = price > inst.LastPrice ? 0 : price < inst.LastPrice ? 2 : inst.LastTickUp ? 1 : 3;
        inst.LastTickUp = tickDirection is 0 or 1;
        inst.LastPrice = price;
        return new DeribitTrade
        {
            TradeSeq = inst.TradeSeq,
            TradeId = ++_lastTradeId,
            TimestampMs = (at - lag).ToUnixTimeMilliseconds(),
            TickDirection = tickDirection,
            Price = price,
            Amount = amount,
            TakerBuys = takerBuys,
            MarkPrice = mark,
            IndexPrice = index,
            Iv = inst.Canonical.Market == MarketType.Option ? inst.Spec.MarkIv : null,
        };
    }

    private void Ticker(Instrument inst, DateTimeOffset at, TimeSpan lag)
    {
        var spec = inst.Spec;
        var stream = "ticker." + spec.InstrumentName;
        var quoteFactor = _faults.QuotePriceFactor(spec.InstrumentName);
        var (bid, ask, mark, index) = Book(inst, at, quoteFactor);
        if (inst.LastPrice == 0)
        {
            inst.LastPrice = mark;
        }

        if (!_protocol.AnySubscribed(stream))
        {
            return;
        }

        var kind = inst.Canonical.Market;
        decimal? funding = null, funding8h = null;
        if (kind == MarketType.Perp)
        {
            // The premium of the mark over the index, clamped like the venue's, plus the base rate.
            var premium = index > 0 ? Math.Clamp((mark - index) / index, -0.005m, 0.005m) : 0m;
            funding = DeribitWire.WithScale(spec.FundingRate + premium / 8m, 8);
            funding8h = DeribitWire.WithScale(spec.FundingRate + premium, 8);
        }

        var ticker = new DeribitTicker
        {
            TimestampMs = (at - lag).ToUnixTimeMilliseconds(),
            BestBid = bid,
            BestBidAmount = TopAmount(inst),
            BestAsk = ask,
            BestAskAmount = TopAmount(inst),
            MarkPrice = mark,
            IndexPrice = index,
            LastPrice = inst.LastPrice,
            OpenInterest = DeribitWire.WithScale(spec.MeanAmount * 10_000m, inst.AmountScale),
            CurrentFunding = funding,
            Funding8h = funding8h,
            MarkIv = kind == MarketType.Option ? spec.MarkIv : null,
            UnderlyingPrice = kind == MarketType.Option ? index : null,
        };
        var name = spec.InstrumentName;
        _protocol.Deliver(stream, channel => DeribitWire.Ticker(channel, name, ticker));
    }

    /// <summary>
    /// <c>quote.{instrument}</c>: the best bid and ask with amounts, sent when either price moved since the last one (the
    /// venue pushes on change); amounts are drawn only while someone listens. The docs' notification:
    /// <c>{"best_ask_amount":50,"best_ask_price":3996.61,"best_bid_amount":40,"best_bid_price":3914.97,"instrument_name":"BTC-PERPETUAL","timestamp":1550658624149}</c>.
    /// </summary>
    private void Quote(Instrument inst, DateTimeOffset at, TimeSpan lag)
    {
        var spec = inst.Spec;
        var stream = DeribitChannel.Quote + "." + spec.InstrumentName;
        if (!_protocol.AnySubscribed(stream) || _faults.AreQuotesSilenced(spec.InstrumentName))
        {
            return;
        }

        var (bid, ask, _, _) = Book(inst, at, _faults.QuotePriceFactor(spec.InstrumentName));
        if (bid == inst.QuotedBid && ask == inst.QuotedAsk)
        {
            return;
        }

        (inst.QuotedBid, inst.QuotedAsk) = (bid, ask);
        var quote = new DeribitTicker
        {
            TimestampMs = (at - lag).ToUnixTimeMilliseconds(),
            BestBid = bid,
            BestBidAmount = TopAmount(inst),
            BestAsk = ask,
            BestAskAmount = TopAmount(inst),
        };
        var name = spec.InstrumentName;
        _protocol.Deliver(stream, channel => DeribitWire.Quote(channel, name, quote));
    }

    /// <summary>An amount resting at the top of the book: up to four mean trades, at least one step.</summary>
    private decimal TopAmount(Instrument inst) =>
        DeribitWire.RoundToStep(Math.Max(inst.Spec.AmountStep, inst.Spec.MeanAmount * (decimal)(_random.NextDouble() * 4)), inst.Spec.AmountStep, inst.AmountScale);

    /// <summary>Best bid and ask, mark and index at <paramref name="at"/>, in the instrument's price unit.</summary>
    private (decimal Bid, decimal Ask, decimal Mark, decimal Index) Book(Instrument inst, DateTimeOffset at, decimal quoteFactor)
    {
        var spec = inst.Spec;
        var underlying = _view.Mid(inst.Underlying, at);
        var indexValue = _view.Market.Mid(inst.Underlying, at);
        var index = DeribitWire.WithScale((decimal)indexValue, 2);
        double mid = inst.Canonical.Market switch
        {
            MarketType.Future => underlying * (1.0 + (double)spec.FutureBasis),
            MarketType.Option => OptionValue(inst.Canonical, spec.MarkIv, underlying, at),
            _ => underlying,
        };
        var tick = spec.TickSize;
        var m = (decimal)mid * quoteFactor;
        var spread = spec.SpreadTicks * tick;
        var bid = Math.Max(tick, DeribitWire.RoundToStep(Math.Floor((m - spread / 2) / tick) * tick, tick, inst.PriceScale));
        var ask = DeribitWire.WithScale(bid + spread, inst.PriceScale);
        var mark = inst.Canonical.Market == MarketType.Option
            ? DeribitWire.WithScale(Math.Max(0.0001m, (decimal)mid * quoteFactor), 4)
            : DeribitWire.WithScale(m, 2);
        return (bid, ask, mark, index);
    }

    /// <summary>A rough option value in units of the underlying: intrinsic plus a time value that fades away from the money.</summary>
    private static double OptionValue(InstrumentSpec s, decimal markIv, double underlying, DateTimeOffset at)
    {
        var strike = (double)s.Strike!.Value;
        var expiry = new DateTimeOffset(s.Expiry!.Value.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
        var years = Math.Max(1.0 / 365, (expiry - at).TotalDays / 365.0);
        var sigmaT = (double)markIv / 100.0 * Math.Sqrt(years);
        var moneyness = Math.Log(underlying / strike) / sigmaT;
        var intrinsic = s.Right == OptionRight.Call ? Math.Max(0, underlying - strike) : Math.Max(0, strike - underlying);
        var timeValue = 0.4 * underlying * sigmaT * Math.Exp(-0.5 * moneyness * moneyness);
        return (intrinsic + timeValue) / underlying;
    }

    private sealed class Instrument(DeribitSyntheticInstrument spec, DateTimeOffset nextTicker)
    {
        public DeribitSyntheticInstrument Spec { get; } = spec;

        public InstrumentSpec Canonical { get; } = spec.Spec;

        public string Underlying { get; } = spec.Underlying;

        public int PriceScale { get; } = DeribitWire.ScaleOf(spec.TickSize);

        public int AmountScale { get; } = DeribitWire.ScaleOf(spec.AmountStep);

        public long TradeSeq;
        public double Carry;
        public decimal LastPrice;
        public decimal QuotedBid;
        public decimal QuotedAsk;
        public bool LastTickUp;
        public DateTimeOffset NextTicker = nextTicker;
    }
}
