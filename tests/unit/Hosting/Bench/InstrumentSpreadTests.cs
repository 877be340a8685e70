using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Bench;
using Cloudwall.Rx.Hosting.Platform;

namespace Cloudwall.Rx.Tests.Unit.Hosting.Bench;

/// <summary><c>bench --instruments N</c>: N subscriptions over the default providers, each in its venue's own grammar.</summary>
public sealed class InstrumentSpreadTests
{
    [Fact]
    public void Two_thousand_subscriptions_keep_each_providers_defaults_first_and_add_distinct_symbols()
    {
        var spread = InstrumentSpread.Of(2_000);

        Assert.Equal(2_000, spread.Count);
        Assert.Equal(ProviderCatalog.DefaultProviders.Order(), spread.Symbols.Keys.Order());
        foreach (var (name, symbols) in spread.Symbols)
        {
            Assert.True(ProviderCatalog.TryGet(name, out var kind));
            Assert.Equal(kind.DefaultSymbols, symbols.Take(kind.DefaultSymbols.Count));
            Assert.Equal(symbols.Count, symbols.Distinct(StringComparer.Ordinal).Count());
            // Dealt round-robin: no provider has more than one extra over another.
            Assert.InRange(symbols.Count - kind.DefaultSymbols.Count, (2_000 - InstrumentSpread.DefaultSubscriptions()) / 10, (2_000 - InstrumentSpread.DefaultSubscriptions()) / 10 + 1);
        }
    }

    [Fact]
    public void Every_generated_symbol_is_a_default_symbol_of_its_provider_with_a_synthetic_base()
    {
        var spread = InstrumentSpread.Of(400);
        foreach (var (name, symbols) in spread.Symbols)
        {
            Assert.True(ProviderCatalog.TryGet(name, out var kind));
            foreach (var symbol in symbols.Skip(kind.DefaultSymbols.Count))
            {
                var b = BaseOf(symbol);
                Assert.Contains(kind.DefaultSymbols, d => InstrumentSpread.WithBase(d, b.ToUpperInvariant()) == symbol);
            }
        }

        // The aggregator's criteria name a concrete exchange and a lower-case code, as its defaults do.
        Assert.All(spread.Symbols["aggregator"], s => Assert.Equal(s.ToLowerInvariant(), s));
        Assert.DoesNotContain(spread.Symbols["aggregator"], s => s.StartsWith("*:", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_synthetic_base_is_shared_by_up_to_three_neighbouring_providers()
    {
        var spread = InstrumentSpread.Of(InstrumentSpread.DefaultSubscriptions() + 30);
        var extras = spread.Symbols.ToDictionary(kv => kv.Key, kv => kv.Value.Skip(ProviderCatalog.TryGet(kv.Key, out var k) ? k.DefaultSymbols.Count : 0).Select(BaseOf).ToList());
        var byBase = extras.SelectMany(kv => kv.Value.Select(b => (Base: b.ToUpperInvariant(), Provider: kv.Key))).GroupBy(x => x.Base).ToList();

        Assert.Equal(10, byBase.Count); // 30 extras, three per base
        Assert.All(byBase, g => Assert.Equal(3, g.Select(x => x.Provider).Distinct().Count()));
    }

    [Fact]
    public void The_simulators_trade_proportionally_more_instruments_so_the_rate_per_instrument_falls()
    {
        var none = InstrumentSpread.Of(InstrumentSpread.DefaultSubscriptions());
        var many = InstrumentSpread.Of(2_000);

        Assert.Equal(1.0, none.OfferedScale, 6);
        Assert.InRange(many.OfferedScale, 40, 70);
        var model = RateModel.Default.Scaled(many.OfferedScale);
        var setting = model.SettingFor(28_000);
        Assert.InRange(model.EventsPerSecondAt(setting), 27_000, 29_000);
        Assert.True(setting < RateModel.Default.SettingFor(28_000) / 30, $"{setting} trades/s per instrument");
    }

    [Fact]
    public void Settings_index_each_providers_symbols_for_the_configuration_binder()
    {
        var settings = InstrumentSpread.Of(InstrumentSpread.DefaultSubscriptions() + 1).Settings();

        Assert.Contains("Providers:coinbase:Symbols:0=BTC-USD", settings);
        Assert.Contains("Providers:coinbase:Symbols:3=ZAAAX-USD", settings); // the one extra: first provider, first base
        Assert.Contains("Providers:aggregator:Symbols:5=binc:perpetual-future:eth-usdt", settings);
        Assert.Equal(InstrumentSpread.DefaultSubscriptions() + 1, settings.Count);
    }

    [Fact]
    public void Fewer_than_the_default_subscriptions_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InstrumentSpread.Of(InstrumentSpread.DefaultSubscriptions() - 1));

    [Theory]
    [InlineData(0, "ZAAAX")]
    [InlineData(1, "ZAABX")]
    [InlineData(27, "ZABBX")]
    [InlineData(26 * 26 * 26 - 1, "ZZZZX")]
    public void Synthetic_bases_count_in_letters(int n, string expected) => Assert.Equal(expected, InstrumentSpread.SyntheticBase(n));

    [Theory]
    [InlineData("BTCUSDT", "ZAAAUSDT")]
    [InlineData("ETH-USDT-SWAP", "ZAAA-USDT-SWAP")]
    [InlineData("SOL/USD", "ZAAA/USD")]
    [InlineData("BTC-25DEC26-70000-C", "ZAAA-25DEC26-70000-C")]
    [InlineData("krkn:spot:eth-usd", "krkn:spot:zaaa-usd")]
    public void A_template_keeps_its_grammar_and_case(string template, string expected) => Assert.Equal(expected, InstrumentSpread.WithBase(template, "ZAAA"));

    /// <summary>The synthetic base in a generated symbol: Z, three letters and X (z…x in the aggregator's lower-case codes).</summary>
    private static string BaseOf(string symbol) =>
        System.Text.RegularExpressions.Regex.Match(symbol, "[Zz][A-Za-z]{3}[Xx]").Value;
}
