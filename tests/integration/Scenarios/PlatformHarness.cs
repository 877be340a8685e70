using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Pricing;
using Cloudwall.Rx.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudwall.Rx.Tests.Integration.Scenarios;

/// <summary>
/// The whole platform in process on embedded defaults (simulators over real loopback sockets, embedded Kafka), limited to
/// the providers a scenario needs, with a record of every emitted fair price and its per-source detail.
/// </summary>
internal sealed class PlatformHarness : IAsyncDisposable
{
    private static readonly string[] AllProviders =
        ["coinbase", "kraken", "binance", "binance-usdm", "binance-coinm", "okx", "bybit-spot", "bybit-linear", "deribit", "aggregator"];

    private PlatformHarness(WebApplication app)
    {
        App = app;
        Platform = new PlatformView(app.Services);
        Quality = app.Services.GetRequiredService<QualitySidecar>();
    }

    public WebApplication App { get; }
    /// <summary>The platform's parts, as the host registered them.</summary>
    public PlatformView Platform { get; }
    public QualitySidecar Quality { get; }

    /// <summary>The latest detail per (instrument key, provider, venue): status and ratio of each source.</summary>
    public ConcurrentDictionary<(string Instrument, string Provider, string Venue), SourceDetail> Sources { get; } = new();

    /// <summary>The latest trade-based fair price per instrument key.</summary>
    public ConcurrentDictionary<string, FairPrice> Prices { get; } = new();

    public static async Task<PlatformHarness> StartAsync(string[] providers, params (string Key, string Value)[] settings)
    {
        var all = new List<KeyValuePair<string, string?>>
        {
            new("Admin:Port", "0"),
            new("ConsoleView:Enabled", "false"),
            new("Simulation:TradesPerSecond", "20"),
        };
        all.AddRange(AllProviders.Where(p => !providers.Contains(p)).Select(p => new KeyValuePair<string, string?>($"Providers:{p}:Enabled", "false")));
        all.AddRange(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        var app = RunCommand.Build(all, TextWriter.Null);
        var h = new PlatformHarness(app);
        h.Platform.FairPriceDetail += h.OnDetail;
        await app.StartAsync();
        return h;
    }

    private void OnDetail(in FairPrice price, ReadOnlySpan<SourceDetail> sources)
    {
        if (price.Method != FairPriceMethod.TradeBased)
        {
            return;
        }

        var key = Platform.RefData.KeyOf(price.Instrument);
        Prices[key] = price;
        foreach (var s in sources)
        {
            Sources[(key, s.Provider.Name, s.Venue.Name)] = s;
        }
    }

    public SourceStatus? StatusOf(string instrument, string provider, string venue) =>
        Sources.TryGetValue((instrument, provider, venue), out var d) ? d.Status : null;

    public static Task Eventually(Func<bool> condition, TimeSpan within, string what) => Eventually(condition, within, () => what);

    /// <summary>As above, with the failure's text built when it fails (so it shows the state then, not at the call).</summary>
    public static async Task Eventually(Func<bool> condition, TimeSpan within, Func<string> what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {within.TotalSeconds} s: {what()}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Platform.FairPriceDetail -= OnDetail;
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>What scenario tests read of a running platform: its parts, resolved from the host's services.</summary>
internal sealed class PlatformView(IServiceProvider services)
{
    private readonly IProviderStatus _providers = services.GetRequiredService<IProviderStatus>();
    private readonly FairPriceDetails _details = services.GetRequiredService<FairPriceDetails>();

    public IReadOnlyDictionary<string, IVenueSimulator> Simulators => _providers.Simulators;

    public IReadOnlyList<ProviderView> Providers => _providers.Providers;

    public List<string> ProviderNames => [.. _providers.Providers.Select(p => p.Name)];

    public ReferenceData RefData { get; } = services.GetRequiredService<ReferenceData>();

    public KafkaPublisher? Publisher => services.GetRequiredService<KafkaConnection>().Publisher;

    public long SequenceGaps => services.GetRequiredService<SequenceGapLog>().Count;

    public event FairPriceDetailHandler? FairPriceDetail
    {
        add => _details.Detail += value;
        remove => _details.Detail -= value;
    }
}
