using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>The <c>run --scenario</c> entries for the injectable faults: each switches its fault on, holds it, and clears it.</summary>
public sealed class FaultScenarioTests
{
    private static readonly SimQuote Previous = new(10m, 11m, 10m);
    private static readonly SimQuote Next = new(20m, 21m, 21m);

    public static TheoryData<string, string, string> Cases => new()
    {
        { "frozen-price", "coinbase", "SOL-USD" },
        { "clock-ahead", "kraken", "" },
        { "clock-behind", "coinbase", "" },
        { "quotes-stop", "coinbase", "ETH-USD" },
        { "gross-error", "coinbase", "SOL-USD" },
        { "crossed-quotes", "kraken", "BTC/USD" },
        { "duplicates", "coinbase", "ETH-USD" },
        { "trade-rate-drop", "coinbase", "BTC-USD" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_fault_scenario_holds_its_fault_then_clears_it(string name, string provider, string instrument)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var sims = new Dictionary<string, IVenueSimulator> { ["coinbase"] = new Fake("coinbase"), ["kraken"] = new Fake("kraken") };
        Assert.True(Scenarios.TryGet(name, out var scenario));
        var faults = sims[provider].Faults;
        var normal = Observe(faults, instrument);

        var run = scenario.Run(new ScenarioContext(sims, time), CancellationToken.None);
        var held = Observe(faults, instrument);
        Assert.NotEqual(normal, held);
        time.Advance(scenario.Hold);
        await run;
        Assert.Equal(normal, Observe(faults, instrument));
        Assert.Equal(TimeSpan.Zero, faults.Latency);
    }

    [Fact]
    public async Task The_blip_stays_below_the_five_percent_critical_deviation()
    {
        Assert.True(Scenarios.TryGet("blip", out var blip));
        var coinbase = new Fake("coinbase");
        var time = new FakeTimeProvider();
        var run = blip.Run(new ScenarioContext(new Dictionary<string, IVenueSimulator> { ["coinbase"] = coinbase }, time), CancellationToken.None);
        Assert.Equal(1.03m, coinbase.Faults.TakeTradePriceFactor("BTC-USD"));
        Assert.Equal(1m, coinbase.Faults.TakeTradePriceFactor("BTC-USD")); // one trade only
        time.Advance(blip.Hold);
        await run;
    }

    /// <summary>Everything a scenario can change about one instrument, as the feeds read it.</summary>
    private static string Observe(SimulatorFaults f, string instrument)
    {
        var carry = 0.0;
        return string.Join(
            '|',
            f.Latency,
            f.AreQuotesSilenced(instrument),
            f.DuplicatesTrades(instrument),
            f.QuotePriceFactor(instrument),
            f.TradesDue(instrument, 100, 1, ref carry),
            f.ShapeQuote(instrument, Previous, Next));
    }

    private sealed class Fake(string venue) : IVenueSimulator
    {
        public string Venue { get; } = venue;

        public Uri Endpoint { get; } = new("ws://127.0.0.1:1/");

        public SimulatorFaults Faults { get; } = new();

        public SimulatorStats Stats => throw new NotSupportedException();

        public Uri? RestEndpoint => null;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
