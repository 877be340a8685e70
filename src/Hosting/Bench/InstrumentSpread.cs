using System.Globalization;
using Cloudwall.Rx.Hosting.Platform;

namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>
/// Many instruments spread over the default providers, for <c>cloudwall-rx bench --instruments N</c> (issue 17: "with
/// 2,000 instruments spread over the venues at the same total rate, CPU per event and memory stay within 20 %"). The N
/// subscriptions are each provider's defaults plus generated ones, dealt round-robin over the providers. A generated
/// symbol is one of the provider's default symbols with its base asset (BTC, ETH or SOL) replaced by a synthetic one
/// (<c>ZAAAX</c>, <c>ZAABX</c>, …), so it follows the venue's own grammar (<c>ZAAAXUSDT</c>, <c>ZAAAX-USDT-SWAP</c>,
/// <c>ZAAAX/USD</c>, <c>cbse:spot:zaaax-usd</c>); each synthetic base is dealt to up to three neighbouring providers, so
/// the fair price of many instruments is still cross-provider. The simulators offer every configured symbol they lack
/// (<see cref="ProviderCatalog"/>), so <c>simulate</c> and <c>run</c> get the same settings.
/// </summary>
public sealed class InstrumentSpread
{
    private static readonly string[] DefaultBases = ["BTC", "ETH", "SOL"];

    private InstrumentSpread(IReadOnlyDictionary<string, IReadOnlyList<string>> symbols, double offeredScale)
    {
        Symbols = symbols;
        OfferedScale = offeredScale;
    }

    /// <summary>The symbols each provider subscribes, its defaults first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Symbols { get; }

    /// <summary>Subscriptions over all providers.</summary>
    public int Count => Symbols.Values.Sum(s => s.Count);

    /// <summary>
    /// Instruments the simulators trade with this spread over those they trade by default: the load generator's rate per
    /// product and venue is divided by it, so the total rate stays the same (<see cref="RateModel.Scaled"/>).
    /// </summary>
    public double OfferedScale { get; }

    /// <summary><c>Providers:&lt;name&gt;:Symbols:&lt;i&gt;=&lt;symbol&gt;</c> for every subscription, for both <c>simulate</c> and <c>run</c>.</summary>
    public IReadOnlyList<string> Settings() =>
        [.. Symbols.SelectMany(kv => kv.Value.Select((s, i) => string.Create(CultureInfo.InvariantCulture, $"Providers:{kv.Key}:Symbols:{i}={s}")))];

    /// <summary>The spread of <paramref name="total"/> subscriptions over <paramref name="providers"/> (by default <see cref="ProviderCatalog.DefaultProviders"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than the providers' default subscriptions.</exception>
    public static InstrumentSpread Of(int total, IReadOnlyList<string>? providers = null)
    {
        providers ??= ProviderCatalog.DefaultProviders;
        var kinds = providers.Select(p => ProviderCatalog.TryGet(p, out var k) ? k : throw new ArgumentException($"unknown provider kind '{p}'", nameof(providers))).ToList();
        var symbols = kinds.Select(k => new List<string>(k.DefaultSymbols)).ToList();
        var defaults = symbols.Sum(s => s.Count);
        if (total < defaults)
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, $"at least the default providers' {defaults} subscriptions");
        }

        var templates = kinds.Select(k => k.DefaultSymbols.Where(s => BaseAt(s) >= 0).ToList()).ToList();
        var p = kinds.Count;
        var share = Math.Min(3, p);
        for (var i = 0; i < total - defaults; i++)
        {
            var which = i % p;
            var template = templates[which][i / p % templates[which].Count];
            symbols[which].Add(WithBase(template, SyntheticBase(i / share)));
        }

        var offeredDefault = kinds.Sum(k => Offered(k, k.DefaultSymbols));
        var offered = kinds.Select((k, i) => Offered(k, symbols[i])).Sum();
        var byName = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < p; i++) byName[providers[i]] = symbols[i];
        return new InstrumentSpread(byName, (double)offered / offeredDefault);
    }

    /// <summary>Subscriptions of <paramref name="providers"/> with their default symbols: the fewest <see cref="Of"/> takes.</summary>
    public static int DefaultSubscriptions(IReadOnlyList<string>? providers = null) =>
        (providers ?? ProviderCatalog.DefaultProviders).Sum(p => ProviderCatalog.TryGet(p, out var k) ? k.DefaultSymbols.Count : 0);

    /// <summary>
    /// The n-th synthetic base asset: Z, three letters, X (ZAAAX, ZAABX, …), none a real asset's ticker. The closing X keeps
    /// the venues' suffix rules unambiguous: a base ending in B or T would read ZAAB|USD as ZAA|BUSD (Binance's BUSD quote).
    /// </summary>
    public static string SyntheticBase(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(n, 26 * 26 * 26);
        Span<char> c = ['Z', (char)('A' + (n / 676)), (char)('A' + (n / 26 % 26)), (char)('A' + (n % 26)), 'X'];
        return new string(c);
    }

    /// <summary><paramref name="template"/> with its base asset replaced, in the template's case.</summary>
    public static string WithBase(string template, string syntheticBase)
    {
        var at = BaseAt(template);
        if (at < 0) throw new ArgumentException($"'{template}' names none of {string.Join(", ", DefaultBases)}", nameof(template));
        var replacement = char.IsAsciiLetterLower(template[at]) ? syntheticBase.ToLowerInvariant() : syntheticBase;
        return string.Concat(template.AsSpan(0, at), replacement, template.AsSpan(at + 3));
    }

    private static int BaseAt(string symbol) =>
        DefaultBases.Select(b => symbol.IndexOf(b, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();

    private static int Offered(ProviderKind kind, IEnumerable<string> subscribed) =>
        kind.SimulatorSymbols.Union(subscribed.Select(ProviderCatalog.SimulatedCriteria), StringComparer.OrdinalIgnoreCase).Count();
}
