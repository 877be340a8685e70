using Cloudwall.Rx.Simulation;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// Scripted faults on the running simulators, for people to watch (<c>run --scenario NAME</c>) and for the acceptance
/// tests. Each scenario waits for a warm-up (so the detectors learn normal behaviour), holds its fault, then clears it.
/// </summary>
public sealed record Scenario(string Name, string Description, TimeSpan Hold, Func<ScenarioContext, CancellationToken, Task> Run);

/// <summary>The simulators a scenario acts on, by provider name, and the time to wait with.</summary>
public sealed record ScenarioContext(IReadOnlyDictionary<string, IVenueSimulator> Simulators, TimeProvider Time)
{
    public SimulatorFaults Faults(string provider) =>
        Simulators.TryGetValue(provider, out var sim) ? sim.Faults : throw new InvalidOperationException($"scenario needs the '{provider}' simulator");

    public Task Wait(TimeSpan span, CancellationToken ct) => Task.Delay(span, Time, ct);
}

public static class Scenarios
{
    /// <summary>How long faults are held unless a scenario says otherwise.</summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("instrument-silent", "Coinbase stops sending ETH-USD; other instruments carry on.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").Silence("ETH-USD"), () => c.Faults("coinbase").Resume("ETH-USD"))),
        new("venue-silent", "The aggregator's Kraken feed goes silent (its Coinbase feed carries on): one venue-level alert.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold,
                () => { c.Faults("aggregator").Silence("krkn:spot:btc-usd"); c.Faults("aggregator").Silence("krkn:spot:eth-usd"); },
                () => { c.Faults("aggregator").Resume("krkn:spot:btc-usd"); c.Faults("aggregator").Resume("krkn:spot:eth-usd"); })),
        new("provider-silent", "Kraken, a direct provider, goes silent on every instrument: one provider-level alert.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("kraken").Silence(), () => c.Faults("kraken").Resume())),
        new("sequence-gap", "Binance skips 25 BTCUSDT trade ids.", TimeSpan.FromSeconds(1),
            (c, ct) => Hold(c, ct, TimeSpan.FromSeconds(1), () => c.Faults("binance").SkipSequence("BTCUSDT", 25), () => { })),
        new("latency", "OKX exchange timestamps lag by 500 ms more.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("okx").AddLatency(TimeSpan.FromMilliseconds(500)),
                () => c.Faults("okx").AddLatency(TimeSpan.FromMilliseconds(-500)))),
        new("offset", "Coinbase BTC-USD prices sit 2 % high for 60 s.", TimeSpan.FromSeconds(60),
            (c, ct) => Hold(c, ct, TimeSpan.FromSeconds(60), () => c.Faults("coinbase").PriceOffset("BTC-USD", 0.02m),
                () => c.Faults("coinbase").PriceOffset("BTC-USD", 0m))),
        new("blip", "One Coinbase BTC-USD trade prints 3 % high: a blip, below the 5 % critical deviation, not a divergence.", TimeSpan.FromSeconds(1),
            (c, ct) => Hold(c, ct, TimeSpan.FromSeconds(1), () => c.Faults("coinbase").Spike("BTC-USD", 0.03m), () => { })),
        new("spike", "One Kraken BTC/USD trade prints 10 % low.", TimeSpan.FromSeconds(1),
            (c, ct) => Hold(c, ct, TimeSpan.FromSeconds(1), () => c.Faults("kraken").Spike("BTC/USD", -0.10m), () => { })),
        new("rate-drop", "Deribit BTC-PERPETUAL updates drop to a quarter of their rate.", DefaultHold, RateDrop),
        new("frozen-price", "Coinbase SOL-USD keeps trading at its rate with fresh times and ids, but at one frozen price.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").Freeze("SOL-USD"), () => c.Faults("coinbase").Unfreeze("SOL-USD"))),
        new("clock-ahead", "Kraken exchange timestamps run 2 s ahead of the wall clock.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("kraken").ClockAhead(TimeSpan.FromSeconds(2)),
                () => c.Faults("kraken").ClockAhead(TimeSpan.FromSeconds(-2)))),
        new("clock-behind", "Coinbase exchange timestamps run 30 s behind the wall clock.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").AddLatency(TimeSpan.FromSeconds(30)),
                () => c.Faults("coinbase").AddLatency(TimeSpan.FromSeconds(-30)))),
        new("quotes-stop", "Coinbase tickers stop on every instrument while trades carry on.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").SilenceQuotes(), () => c.Faults("coinbase").ResumeQuotes())),
        new("gross-error", "Coinbase SOL-USD trades and quotes print 100 times the price.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").PriceOffset("SOL-USD", 99m), () => c.Faults("coinbase").PriceOffset("SOL-USD", 0m))),
        new("crossed-quotes", "Kraken BTC/USD quotes are published crossed: bid above ask.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("kraken").CrossQuotes("BTC/USD"), () => c.Faults("kraken").CrossQuotes("BTC/USD", on: false))),
        new("duplicates", "Every Coinbase ETH-USD trade message is sent twice, same trade id and sequence.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").DuplicateTrades("ETH-USD"),
                () => c.Faults("coinbase").DuplicateTrades("ETH-USD", on: false))),
        new("trade-rate-drop", "Coinbase BTC-USD trades slow to 1/50 of their rate (20/s to 0.4/s) through the feed's rate.", DefaultHold,
            (c, ct) => Hold(c, ct, DefaultHold, () => c.Faults("coinbase").Throttle("BTC-USD", 0.02), () => c.Faults("coinbase").Throttle("BTC-USD", 1.0))),
    ];

    public static bool TryGet(string name, out Scenario scenario)
    {
        scenario = All.FirstOrDefault(s => s.Name == name)!;
        return scenario is not null;
    }

    private static async Task Hold(ScenarioContext c, CancellationToken ct, TimeSpan hold, Action apply, Action clear)
    {
        apply();
        try
        {
            await c.Wait(hold, ct).ConfigureAwait(false);
        }
        finally
        {
            clear();
        }
    }

    /// <summary>
    /// A duty cycle, silent three quarters of every second, so every kind of update drops (trades and tickers);
    /// <see cref="SimulatorFaults.Throttle"/> slows trades only.
    /// </summary>
    private static async Task RateDrop(ScenarioContext c, CancellationToken ct)
    {
        var faults = c.Faults("deribit");
        var until = c.Time.GetUtcNow() + DefaultHold;
        try
        {
            while (c.Time.GetUtcNow() < until)
            {
                faults.Silence("BTC-PERPETUAL");
                await c.Wait(TimeSpan.FromMilliseconds(750), ct).ConfigureAwait(false);
                faults.Resume("BTC-PERPETUAL");
                await c.Wait(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            faults.Resume("BTC-PERPETUAL");
        }
    }
}
