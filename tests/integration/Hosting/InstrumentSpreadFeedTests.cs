using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Bench;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Simulation;
using Cloudwall.Rx.Simulation.Market;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// <c>bench --instruments</c> subscribes symbols the simulators do not list by default: each simulator offers every
/// configured symbol it lacks (<see cref="ProviderCatalog"/>), and each real connector, subscribed to them, receives and
/// decodes their trades. Every default provider, against its own loopback simulator.
/// </summary>
public sealed class InstrumentSpreadFeedTests
{
    [Fact]
    public async Task Every_default_provider_receives_events_for_the_generated_symbols_from_its_simulator()
    {
        var spread = InstrumentSpread.Of(InstrumentSpread.DefaultSubscriptions() + 20);
        var refData = new ReferenceData();
        var sinks = new Sinks();
        var context = new ProviderContext(refData, sinks, sinks, TimeProvider.System, NullLoggerFactory.Instance);
        var simulation = new SimulationOptions { TradesPerSecond = 20 };
        var simulatorContext = new SimulatorContext(new SyntheticMarket(simulation.Seed), simulation, TimeProvider.System, NullLoggerFactory.Instance);
        var seen = new ConcurrentDictionary<(string Provider, string Base), int>();
        var simulators = new List<IVenueSimulator>();
        var subscriptions = new List<IDisposable>();
        var expected = spread.Symbols.SelectMany(kv => kv.Value.Skip(ProviderCatalog.TryGet(kv.Key, out var k) ? k.DefaultSymbols.Count : 0)
            .Select(s => (Provider: kv.Key, Base: System.Text.RegularExpressions.Regex.Match(s, "[Zz][A-Za-z]{3}[Xx]").Value.ToUpperInvariant()))).ToList();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            foreach (var (name, symbols) in spread.Symbols)
            {
                Assert.True(ProviderCatalog.TryGet(name, out var kind));
                kind.RegisterSymbols(refData);
                var options = new ProviderOptions { Type = name, Symbols = [.. symbols], ApiToken = ProvidersOptions.SimulatorToken };
                var simulator = await kind.Simulate(simulatorContext, options, timeout.Token);
                simulators.Add(simulator);
                var provider = kind.Create(context, options, simulator.Endpoint);
                subscriptions.Add(provider.Events.Subscribe(e =>
                {
                    if (e.Kind == EventKind.Trade && refData.TryGet(e.Instrument, out var instrument) && instrument.Spec.Base.StartsWith('Z'))
                    {
                        seen.AddOrUpdate((name, instrument.Spec.Base), 1, (_, n) => n + 1);
                        if (expected.All(seen.ContainsKey)) allSeen.TrySetResult();
                    }
                }));
            }

            Assert.Equal(20, expected.Count);
            await Task.WhenAny(allSeen.Task, Task.Delay(Timeout.Infinite, timeout.Token));
            Assert.True(expected.All(seen.ContainsKey),
                $"no trades yet for {string.Join(", ", expected.Where(x => !seen.ContainsKey(x)))}; dead letters: {string.Join(" | ", sinks.Letters.Take(5))}; seen {string.Join(", ", seen.Keys)}");
        }
        finally
        {
            subscriptions.ForEach(s => s.Dispose());
            foreach (var s in simulators) await s.DisposeAsync();
        }
    }

    private sealed class Sinks : IDeadLetterSink, ISequenceGapSink
    {
        public ConcurrentQueue<string> Letters { get; } = new();

        public void OnDeadLetter(DeadLetter letter) => Letters.Enqueue(letter.ToString());

        public void OnSequenceGap(SequenceGap gap)
        {
        }
    }
}
