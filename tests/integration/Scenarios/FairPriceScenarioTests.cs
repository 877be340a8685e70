using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Tests.Integration.Scenarios;

/// <summary>
/// The fair-price engine against the simulators over real sockets: BTC-USD.SPOT from Coinbase, Kraken and the gRPC
/// aggregator (its Coinbase and Kraken feeds), four sources on one shared random walk.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class FairPriceScenarioTests
{
    private const string Btc = "BTC-USD.SPOT";

    [Fact]
    public async Task A_venue_holding_a_5_percent_offset_is_excluded_and_the_fair_price_stays_within_the_honest_sources()
    {
        await using var h = await PlatformHarness.StartAsync(["coinbase", "kraken", "aggregator"]);
        await PlatformHarness.Eventually(() => h.Prices.TryGetValue(Btc, out var p) && p.Status == FairPriceStatus.Ok, TimeSpan.FromSeconds(20), "BTC fair price ok");

        h.Platform.Simulators["coinbase"].Faults.PriceOffset("BTC-USD", 0.05m);
        await PlatformHarness.Eventually(() => h.StatusOf(Btc, "coinbase", "coinbase") == SourceStatus.Outlier, TimeSpan.FromSeconds(20),
            "coinbase excluded as an outlier");

        // Judge a fresh emission: every honest source's price against the fair price.
        await PlatformHarness.Eventually(() =>
        {
            var honest = h.Sources.Where(kv => kv.Key.Instrument == Btc && kv.Key.Provider != "coinbase" && kv.Value.Status == SourceStatus.Used)
                .Select(kv => kv.Value.Price).ToList();
            return honest.Count >= 2 && h.Prices[Btc] is var fp && fp.Price >= honest.Min() && fp.Price <= honest.Max();
        }, TimeSpan.FromSeconds(10), "fair price inside the honest sources' range");

        // Its trade window fills with offset prices: the ratio climbs to the full 5 % while it stays excluded.
        await PlatformHarness.Eventually(() => h.Sources[(Btc, "coinbase", "coinbase")].Ratio > 1.04m, TimeSpan.FromSeconds(15), "coinbase ratio near 1.05");
        // At the full 5 % it sits on the critical deviation (docs/fair-price.md §3a): still excluded, labelled gross or outlier.
        Assert.True(h.StatusOf(Btc, "coinbase", "coinbase") is SourceStatus.Outlier or SourceStatus.Gross);
        Assert.Equal(FairPriceStatus.Ok, h.Prices[Btc].Status); // three honest sources remain
    }

    [Fact]
    public async Task A_silent_venue_is_dropped_after_the_staleness_limit_and_all_silent_turns_the_price_stale()
    {
        await using var h = await PlatformHarness.StartAsync(["coinbase", "kraken", "aggregator"], ("Pricing:Spot:Staleness", "00:00:03"));
        await PlatformHarness.Eventually(() => h.Prices.TryGetValue(Btc, out var p) && p.Status == FairPriceStatus.Ok, TimeSpan.FromSeconds(20), "BTC fair price ok");

        h.Platform.Simulators["kraken"].Faults.Silence("BTC/USD");
        await PlatformHarness.Eventually(() => h.StatusOf(Btc, "kraken", "kraken") == SourceStatus.Stale, TimeSpan.FromSeconds(15), "kraken stale");
        Assert.Equal(SourceStatus.Used, h.StatusOf(Btc, "coinbase", "coinbase"));

        h.Platform.Simulators["coinbase"].Faults.Silence("BTC-USD");
        h.Platform.Simulators["aggregator"].Faults.Silence("cbse:spot:btc-usd");
        h.Platform.Simulators["aggregator"].Faults.Silence("krkn:spot:btc-usd");
        var last = h.Prices[Btc].Price;
        await PlatformHarness.Eventually(() => h.Prices[Btc].Status == FairPriceStatus.Stale, TimeSpan.FromSeconds(20), "BTC stale");
        var stale = h.Prices[Btc];
        Assert.Equal(0, stale.SourcesUsed);
        Assert.True(stale.Price > 0);
        Assert.True(Math.Abs(stale.Price / last - 1m) < 0.01m, "the last value is held");
        // ETH still trades everywhere: unaffected.
        Assert.Equal(FairPriceStatus.Ok, h.Prices["ETH-USD.SPOT"].Status);
    }
}
