using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The process-wide wiring of the fair-price method: the live parameters, the shared board of latest fair prices, the
/// composite instruments, and an optional per-source detail handler. It creates one <see cref="FairPriceEngine"/> per
/// partition and tells the pipeline how to route: a composite's constituents go to the composite's partition, so that
/// one thread owns all of its sources.
/// </summary>
public sealed class FairPricing
{
    /// <summary>Quote currencies a composite converts to USD, each by the fair price of <c>{quote}-USD.SPOT</c>.</summary>
    public static readonly IReadOnlyList<string> ConvertedQuotes = ["USDT", "USDC"];

    private readonly ReferenceData _refData;
    private readonly FairPriceDetailHandler? _detail;
    private readonly CompositeMap _composites;

    /// <param name="refData">Instrument classes, underlyings and composite constituents come from here.</param>
    /// <param name="parameters">The live parameters; defaults to <see cref="PricingParameters.Default"/>.</param>
    /// <param name="composites">Composite keys such as <c>BTC-USD.COMPOSITE</c>. Fixed for the process's life: routing depends on them.</param>
    /// <param name="detail">Called on every emission with each source's part; runs on the partition threads, concurrently across partitions.</param>
    public FairPricing(ReferenceData refData, IPricingParametersSource? parameters = null, IEnumerable<string>? composites = null,
        FairPriceDetailHandler? detail = null)
    {
        _refData = refData;
        Parameters = parameters ?? new PricingParametersSource();
        _detail = detail;
        _composites = CompositeMap.Build(refData, composites ?? []);
    }

    public IPricingParametersSource Parameters { get; }

    public FairPriceBoard Board { get; } = new();

    public IFairPriceEngine CreateEngine() => new FairPriceEngine(Parameters, _refData, Board, _detail, _composites);

    /// <summary>The instrument whose partition owns <paramref name="id"/>: itself, or the composite it feeds.</summary>
    public InstrumentId RouteKey(InstrumentId id) => _composites.RouteKey(id);
}

/// <summary>Constituent → (composite, rate instrument) links, as flat arrays indexed by instrument id (read-only after build).</summary>
internal sealed class CompositeMap
{
    public static readonly CompositeMap Empty = new([], []);

    private readonly int[] _composite;
    private readonly int[] _rate;

    private CompositeMap(int[] composite, int[] rate)
    {
        _composite = composite;
        _rate = rate;
    }

    public static CompositeMap Build(ReferenceData refData, IEnumerable<string> compositeKeys)
    {
        var links = new List<(int Constituent, int Composite, int Rate)>();
        foreach (var key in compositeKeys)
        {
            if (!InstrumentSpec.TryParseKey(key, out var spec) || spec!.Market != MarketType.Composite || spec.Quote != "USD")
            {
                throw new ArgumentException($"'{key}' is not a USD composite key such as BTC-USD.COMPOSITE", nameof(compositeKeys));
            }

            var composite = refData.Intern(spec).Id.Value;
            links.Add((refData.Intern(InstrumentSpec.Spot(spec.Base, "USD")).Id.Value, composite, 0));
            foreach (var quote in FairPricing.ConvertedQuotes)
            {
                var constituent = refData.Intern(InstrumentSpec.Spot(spec.Base, quote)).Id.Value;
                var rate = refData.Intern(InstrumentSpec.Spot(quote, "USD")).Id.Value;
                links.Add((constituent, composite, rate));
            }
        }

        if (links.Count == 0)
        {
            return Empty;
        }

        var size = links.Max(l => l.Constituent) + 1;
        var c = new int[size];
        var r = new int[size];
        foreach (var (constituent, composite, rate) in links)
        {
            if (c[constituent] != 0 && c[constituent] != composite)
            {
                throw new ArgumentException($"{refData.KeyOf(new InstrumentId(constituent))} feeds two composites", nameof(compositeKeys));
            }

            c[constituent] = composite;
            r[constituent] = rate;
        }

        return new CompositeMap(c, r);
    }

    public bool TryGetLink(InstrumentId id, out InstrumentId composite, out InstrumentId rate)
    {
        var i = id.Value;
        if ((uint)i < (uint)_composite.Length && _composite[i] != 0)
        {
            composite = new InstrumentId(_composite[i]);
            rate = new InstrumentId(_rate[i]);
            return true;
        }

        composite = rate = InstrumentId.None;
        return false;
    }

    public InstrumentId RouteKey(InstrumentId id)
    {
        var i = id.Value;
        return (uint)i < (uint)_composite.Length && _composite[i] != 0 ? new InstrumentId(_composite[i]) : id;
    }
}
