using System.Globalization;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Cloudwall.Rx.Pricing.Aggregation;
using Cloudwall.Rx.Simulation.Hosting;
using Cloudwall.Rx.Simulation.Market;

namespace Cloudwall.Rx.Simulation.Aggregator;

/// <summary>
/// The aggregator's market: trades for each configured instrument from the shared <see cref="SyntheticMarket"/> (one view, with
/// its own basis and noise, per exchange), fanned out to every open stream whose criteria select the instrument, plus a heartbeat
/// per stream. Driven by the simulator's step loop; stream registration is thread-safe.
/// </summary>
/// <remarks>
/// <c>SubscribeAggregates</c> streams (the <c>bars</c> level) get 1 s OHLCV/VWAP aggregates of the same trades instead,
/// computed by Pricing's <see cref="BarAggregator"/> (the platform's one copy of the bar rule) on the trades' exchange times:
/// a bar goes out once a later trade or the step clock passes its second. Its instrument id is the product's index + 1.
/// </remarks>
internal sealed class AggregatorFeed : IBarPublisher
{
    private readonly AggregatorSimulatorOptions _options;
    private readonly SimulatorFaults _faults;
    private readonly TimeProvider _time;
    private readonly Product[] _products;
    private readonly Lock _gate = new();
    private readonly BarAggregator _bars;
    private AggregatorSubscriberStream[] _streams = [];
    private long _nextStreamId;

    public AggregatorFeed(AggregatorSimulatorOptions options, SimulatorFaults faults, TimeProvider time)
    {
        _options = options;
        _faults = faults;
        _time = time;
        Instruments = options.EffectiveInstruments;
        Stats = new SimulatorStats(Snapshot);
        var start = time.GetUtcNow();
        var market = options.Market ?? new SyntheticMarket(options.Seed);
        var views = new Dictionary<string, SyntheticVenueView>(StringComparer.Ordinal);
        _bars = new BarAggregator(1, new AggregationOptions { Interval = TimeSpan.FromSeconds(1), RevisionWindow = TimeSpan.Zero }, this);
        _products = new Product[Instruments.Count];
        for (var i = 0; i < Instruments.Count; i++)
        {
            var spec = Instruments[i];
            market.AddInstrument(spec.Instrument, spec.StartPrice, spec.VolatilityPerSqrtSecond, start);
            if (!views.TryGetValue(spec.Exchange, out var view))
            {
                // Seeded per exchange, so the same exchange draws the same basis run after run.
                var seed = options.Seed ^ (int)AggregatorDecoder.Fnv1a64(System.Text.Encoding.UTF8.GetBytes(spec.Exchange));
                view = market.ForVenue("aggregator:" + spec.Exchange, options.ExchangeBasisFraction, options.ExchangeNoiseFraction, seed);
                views.Add(spec.Exchange, view);
            }

            _products[i] = new Product(spec, view, TickScale(spec.TickSize), 1_000_000L * (i + 1));
        }
    }

    public IReadOnlyList<AggregatorSyntheticInstrument> Instruments { get; }

    /// <summary>
    /// Every trade generated, keyed by <c>exchange:class:code</c> (the unit <c>GetTrades</c> lists is one stream
    /// <see cref="MarketUpdate"/>), including those <see cref="SimulatorFaults.DropTrades"/> withheld from the streams.
    /// </summary>
    public TradeHistory<AggregatorHistoricTrade> History { get; } = new();

    /// <summary>Takes a pending <see cref="SimulatorFaults.FailRest"/> failure (its HTTP status), for the history call.</summary>
    public int? TakeRestFailure() => _faults.TakeRestFailure();

    /// <summary>The instrument of an exact (no wildcard) exchange, class and code, case-insensitively, or null.</summary>
    public AggregatorSyntheticInstrument? Find(string exchange, string instrumentClass, string code) =>
        Instruments.FirstOrDefault(i => string.Equals(i.Exchange, exchange, StringComparison.OrdinalIgnoreCase)
            && string.Equals(i.Class, instrumentClass, StringComparison.OrdinalIgnoreCase) && string.Equals(i.Code, code, StringComparison.OrdinalIgnoreCase));

    public SimulatorStats Stats { get; }

    public int OpenStreams => Volatile.Read(ref _streams).Length;

    public AggregatorSubscriberStream Open(IReadOnlyList<InstrumentCriteria> criteria, bool bars, string peer, Action abort)
    {
        var now = _time.GetUtcNow();
        var stream = new AggregatorSubscriberStream(Interlocked.Increment(ref _nextStreamId), peer, now,
            criteria.Select(c => $"{c.Exchange}:{c.InstrumentClass}:{c.Code}".ToLowerInvariant()).ToList(),
            AggregatorSubscriberStream.Resolve(criteria, Instruments), _options.StreamQueueCapacity, abort, now + _options.HeartbeatInterval, bars);
        lock (_gate)
        {
            _streams = [.. _streams, stream];
        }

        Stats.CountAccepted();
        return stream;
    }

    public void Close(AggregatorSubscriberStream stream)
    {
        stream.Complete();
        lock (_gate)
        {
            _streams = Array.FindAll(_streams, s => s != stream);
        }

        Stats.CountClosed();
    }

    /// <summary>Resets every open stream without a trailer.</summary>
    public int AbortAll()
    {
        var streams = Volatile.Read(ref _streams);
        foreach (var s in streams)
        {
            s.Abort();
        }

        return streams.Length;
    }

    /// <summary>
    /// Queues <paramref name="count"/> bad updates on every stream, alternating a price that is not a decimal and an exchange
    /// nobody knows; each takes its sequence number, as real bad data would.
    /// </summary>
    public int SendMalformed(int count)
    {
        var streams = Volatile.Read(ref _streams);
        var now = AggregatorDecoder.ToTimestamp(UnixTime.FromTimeProvider(_time));
        foreach (var s in streams)
        {
            for (var i = 0; i < count; i++)
            {
                var bad = new MarketUpdate
                {
                    Exchange = i % 2 == 0 ? "cbse" : "zzzz",
                    Class = AggregatorCodes.Spot,
                    Code = "btc-usd",
                    Id = "malformed-" + i.ToString(CultureInfo.InvariantCulture),
                    Price = i % 2 == 0 ? "65,000.1x" : "65000.1",
                    Amount = "0.1",
                    Side = Ingestion.Venues.Aggregator.Protocol.Side.Buy,
                    TsExchange = now,
                    TsCollection = now,
                };
                s.EnqueueUpdate(bad, 0);
            }
        }

        return streams.Length * count;
    }

    /// <summary>Emits every trade due in (<paramref name="from"/>, <paramref name="to"/>] and the heartbeats that fell due.</summary>
    public void Step(DateTimeOffset from, DateTimeOffset to)
    {
        var dt = (to - from).TotalSeconds;
        if (dt <= 0)
        {
            return;
        }

        var streams = Volatile.Read(ref _streams);
        var lag = _faults.Latency;
        var collected = AggregatorDecoder.ToTimestamp(UnixTime.FromDateTime(to.UtcDateTime));
        for (var i = 0; i < _products.Length; i++)
        {
            var p = _products[i];
            if (_faults.IsSilenced(p.Spec.Key))
            {
                p.Carry = 0;
                continue;
            }

            var n = _faults.TradesDue(p.Spec.Key, p.Spec.TradesPerSecond, dt, ref p.Carry);
            for (var k = 0; k < n; k++)
            {
                var at = from + TimeSpan.FromTicks((long)((to - from).Ticks * (k + 1.0) / n));
                var update = Trade(p, at - lag, collected);
                var skip = _faults.TakeSequenceSkip(p.Spec.Key);
                var drop = _faults.TakeTradeDrop(p.Spec.Key);
                History.Record(p.Spec.Key, new AggregatorHistoricTrade(update, p.LastTradeId, UnixTime.FromDateTime((at - lag).UtcDateTime)), drop);
                foreach (var s in streams)
                {
                    if (s.Matches[i] && !s.Bars)
                    {
                        if (drop == TradeDrop.None)
                        {
                            s.EnqueueUpdate(update, skip);
                        }
                        else
                        {
                            s.SkipNumbers(1 + skip); // lost on the way: the stream's sequence shows the gap
                        }
                    }
                }

                var exchangeNs = UnixTime.FromDateTime((at - lag).UtcDateTime);
                _bars.OnEvent(0, new MarketEvent
                {
                    Kind = EventKind.Trade, Instrument = new InstrumentId(i + 1), Price = p.LastPrice, Size = p.LastSize, ExchangeTimeNs = exchangeNs,
                }, exchangeNs);
            }
        }

        _bars.OnTick(0, UnixTime.FromDateTime((to - lag).UtcDateTime));

        foreach (var s in streams)
        {
            if (to >= s.NextHeartbeat)
            {
                s.EnqueueHeartbeat(collected);
                s.NextHeartbeat = to + _options.HeartbeatInterval;
            }
        }
    }

    private MarketUpdate Trade(Product p, DateTimeOffset exchangeTime, Google.Protobuf.WellKnownTypes.Timestamp collected)
    {
        var spec = p.Spec;
        var tick = spec.TickSize;
        var quoteFactor = _faults.QuotePriceFactor(spec.Key);
        var tradeFactor = _faults.TakeTradePriceFactor(spec.Key);
        var mid = (decimal)p.View.Mid(spec.Instrument, exchangeTime) * quoteFactor;
        var takerBuys = p.View.Random.Next(2) == 0;
        var bid = Math.Max(tick, Math.Floor(mid / tick) * tick);
        var price = takerBuys ? bid + tick : bid;
        if (tradeFactor != quoteFactor)
        {
            price *= tradeFactor / quoteFactor; // a spike prints away from the market, for one trade
        }

        price = Math.Round(Math.Max(tick, Math.Round(price / tick) * tick), p.Scale);
        var size = Math.Round(Math.Max(0.00000001m, (decimal)(-Math.Log(1.0 - p.View.Random.NextDouble())) * spec.MeanTradeSize), 8);
        p.LastTradeId++;
        p.LastPrice = price;
        p.LastSize = size;
        return new MarketUpdate
        {
            Exchange = spec.Exchange,
            Class = spec.Class,
            Code = spec.Code,
            Id = p.LastTradeId.ToString(CultureInfo.InvariantCulture),
            Price = price.ToString(CultureInfo.InvariantCulture),
            Amount = size.ToString("0.00000000", CultureInfo.InvariantCulture),
            Side = takerBuys ? Ingestion.Venues.Aggregator.Protocol.Side.Buy : Ingestion.Venues.Aggregator.Protocol.Side.Sell,
            TsExchange = AggregatorDecoder.ToTimestamp(UnixTime.FromDateTime(exchangeTime.UtcDateTime)),
            TsCollection = collected,
        };
    }

    /// <summary>A closed 1 s bar of one product: to every aggregates stream that selects it.</summary>
    void IBarPublisher.PublishBar(in Bar bar)
    {
        var i = bar.Instrument.Value - 1;
        var spec = _products[i].Spec;
        var aggregate = new AggregateUpdate
        {
            Exchange = spec.Exchange,
            Class = spec.Class,
            Code = spec.Code,
            Aggregate = AggregatorDecoder.OneSecond,
            Timestamp = AggregatorDecoder.ToTimestamp(bar.StartTimeNs),
            Open = Text(bar.Open),
            High = Text(bar.High),
            Low = Text(bar.Low),
            Close = Text(bar.Close),
            Vwap = Text(bar.Vwap),
            Volume = Text(bar.Volume),
            Count = (ulong)bar.Count,
        };
        foreach (var s in Volatile.Read(ref _streams))
        {
            if (s.Bars && s.Matches[i])
            {
                s.EnqueueAggregate(aggregate);
            }
        }

        static string Text(decimal d) => d.ToString(CultureInfo.InvariantCulture);
    }

    private IReadOnlyList<VenueConnectionStats> Snapshot() => Volatile.Read(ref _streams).Select(s => s.Snapshot()).ToList();

    private static int TickScale(decimal tick) => (decimal.GetBits(tick)[3] >> 16) & 0xFF;

    private sealed class Product(AggregatorSyntheticInstrument spec, SyntheticVenueView view, int scale, long firstTradeId)
    {
        public AggregatorSyntheticInstrument Spec { get; } = spec;

        public SyntheticVenueView View { get; } = view;

        public int Scale { get; } = scale;

        public long LastTradeId = firstTradeId;
        public decimal LastPrice;
        public decimal LastSize;

        public double Carry;
    }
}

/// <summary>One trade the aggregator simulator generated, as <c>GetTrades</c> serves it: its stream update (no sequence) and its numeric id.</summary>
internal sealed record AggregatorHistoricTrade(MarketUpdate Update, long Id, long TimeNs) : IHistoricTrade;
