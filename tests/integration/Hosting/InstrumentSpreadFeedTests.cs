using System.Text.RegularExpressions;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Bench;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Tests.Integration.Levels;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// <c>bench --instruments</c> subscribes symbols the simulators do not list by default: each simulator offers every
/// configured symbol it lacks (<see cref="ProviderCatalog"/>), and each real connector, subscribed to them, receives and
/// decodes their trades. Every default provider, against its own loopback simulator.
/// </summary>
public sealed partial class InstrumentSpreadFeedTests
{
    [Fact]
    public async Task Every_default_provider_receives_events_for_the_generated_symbols_from_its_simulator()
    {
        var spread = InstrumentSpread.Of(InstrumentSpread.DefaultSubscriptions() + 20);
        var runs = new List<(LevelRun Run, HashSet<string> Bases)>();
        try
        {
            foreach (var (name, symbols) in spread.Symbols)
            {
                Assert.True(ProviderCatalog.TryGet(name, out var kind));
                var bases = symbols.Skip(kind.DefaultSymbols.Count).Select(s => SyntheticBase().Match(s).Value.ToUpperInvariant()).ToHashSet();
                runs.Add((await LevelRun.StartAsync(name, level: null, symbols), bases));
            }

            Assert.Equal(20, runs.Sum(r => r.Bases.Count));
            foreach (var (run, bases) in runs)
            {
                await run.WaitUntilAsync(() => bases.IsSubsetOf(TradedBases(run)), $"trades of {string.Join(", ", bases)}");
            }
        }
        finally
        {
            foreach (var (run, _) in runs) await run.DisposeAsync();
        }
    }

    private static HashSet<string> TradedBases(LevelRun run) =>
        [.. run.Events.Where(e => e.Kind == EventKind.Trade && run.RefData.TryGet(e.Instrument, out _)).Select(e => run.RefData.Get(e.Instrument).Spec.Base)];

    [GeneratedRegex("[Zz][A-Za-z]{3}[Xx]")]
    private static partial Regex SyntheticBase();
}
