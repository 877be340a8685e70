using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// The fair-price engine's hot path. <see cref="Update"/>: source-state updates only (the computation is conflated away);
/// <see cref="UpdateWithEmission"/>: the worst case, every update computes and publishes (4 sources per instrument, detail handler attached).
/// Each benchmark processes <see cref="Batch"/> events, so divide the time by it.
/// </summary>
[MemoryDiagnoser]
public class FairPriceBench
{
    public const int Batch = 1024;
    private static readonly VenueId[] Venues = [VenueId.Coinbase, VenueId.Kraken, VenueId.Binance, VenueId.Okx];
    private readonly MarketEvent[] _events = new MarketEvent[Batch];
    private FairPriceEngine _quiet = null!;
    private FairPriceEngine _busy = null!;
    private long _now = 1_767_225_600_000_000_000;
    private int _sourceCount;

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Batch; i++)
        {
            var v = Venues[i & 3];
            _events[i] = new MarketEvent
            {
                Kind = i % 4 == 3 ? EventKind.Quote : EventKind.Trade, Instrument = new InstrumentId(1 + (i % 8)), Venue = v, Provider = ProviderId.Direct(v),
                Price = 63_000m + (i % 13) * 0.5m, Aux = 63_001m + (i % 13) * 0.5m, Size = 0.0125m,
            };
        }

        _quiet = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = new ClassParameters { MinInterval = TimeSpan.FromMinutes(1) } }));
        _busy = new FairPriceEngine(new PricingParametersSource(new PricingParameters { Spot = new ClassParameters { MinInterval = TimeSpan.Zero, MeaningfulChangeBp = 0m } }),
            detail: (in FairPrice _, ReadOnlySpan<SourceDetail> s) => _sourceCount += s.Length);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Update()
    {
        var n = 0;
        foreach (ref readonly var e in _events.AsSpan())
        {
            _now += 1000;
            if (_quiet.OnEvent(e, _now, out _)) n++;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int UpdateWithEmission()
    {
        var n = 0;
        var events = _events.AsSpan();
        for (var i = 0; i < events.Length; i++)
        {
            // 10 µs apart with a zero minimum interval: every event of an instrument computes; 1 in 8 instruments per event.
            _now += 10_000;
            if (_busy.OnEvent(events[i], _now, out _)) n++;
        }

        return n;
    }
}
