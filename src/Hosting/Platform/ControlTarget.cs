using System.Text.Json;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// What the control plane changes on this instance: subscriptions through the providers' live add/remove, pausing and
/// resuming providers, and swapping in a new pricing-parameter snapshot. Nothing restarts.
/// </summary>
public sealed partial class ControlTarget(IProviderControl providers, PricingParametersSource pricing, ReferenceData refData, QualitySidecar quality,
    ILogger<ControlTarget> logger) : IControlTarget
{
    public async Task ApplySubscriptionsAsync(SubscriptionDiff diff, CancellationToken ct)
    {
        foreach (var group in diff.Added.GroupBy(c => c.Provider, StringComparer.OrdinalIgnoreCase))
        {
            if (Find(group.Key) is not var (provider, kind))
            {
                LogUnknownProvider(group.Key);
                continue;
            }

            var symbols = group.Select(c => SymbolOf(kind, c.Instrument)).OfType<string>().ToList();
            LogSubscribe(group.Key, symbols.Count);
            await provider.AddSubscriptionsAsync(symbols).ConfigureAwait(false);
        }

        foreach (var group in diff.Removed.GroupBy(c => c.Provider, StringComparer.OrdinalIgnoreCase))
        {
            if (Find(group.Key) is not var (provider, kind))
            {
                LogUnknownProvider(group.Key);
                continue;
            }

            var symbols = group.Select(c => SymbolOf(kind, c.Instrument)).OfType<string>().ToList();
            LogUnsubscribe(group.Key, symbols.Count);
            provider.RemoveSubscriptions(symbols);
        }
    }

    public Task PauseProviderAsync(string provider, CancellationToken ct) =>
        Find(provider) is var (p, _) ? p.PauseAsync() : Task.CompletedTask;

    /// <summary>Awaited: a resume that fails reaches the control agent, which rejects the command as apply-failed.</summary>
    public Task ResumeProviderAsync(string provider, CancellationToken ct) =>
        Find(provider) is var (p, _) ? p.ResumeAsync() : Task.CompletedTask;

    /// <summary>The configured parameters: control-plane scopes apply on top of these, so a removed scope falls back to them.</summary>
    private readonly PricingParameters _configured = pricing.Current;

    /// <summary>The engines' own rules: the pricing parameters and detector thresholds <paramref name="next"/> would make.</summary>
    public IEnumerable<string> Errors(ControlSnapshot next) => Rules(_configured, next);

    /// <summary>The same check without an instance (the CLI submitting to Redis checks on top of the default parameters).</summary>
    public static IEnumerable<string> Rules(PricingParameters configured, ControlSnapshot next)
    {
        ControlPricing.TryBuild(configured, next, configured.Version + 1, out var errors);
        return errors.Concat(DetectorsOf(next, out var detectorErrors).Errors("set-detector")).Concat(detectorErrors);
    }

    /// <summary>Swaps in the parameters the snapshot asks for, with the command's version (checked first by <see cref="Errors"/>).</summary>
    public void SetPricing(ControlSnapshot snapshot)
    {
        var live = pricing.Current;
        var version = (int)Math.Min(int.MaxValue, Math.Max(live.Version + 1, snapshot.Version));
        var next = ControlPricing.TryBuild(_configured, snapshot, version, out var errors)
                   ?? throw new ArgumentException(string.Join("; ", errors), nameof(snapshot));
        LogPricing(next.Version, pricing.TrySwap(next));
    }

    /// <summary>
    /// Maps set-detector thresholds (scope = detector, name = threshold) onto run-time overrides read on the next window:
    /// divergence.threshold / for_ms, no_data.floor_ms / ceiling_ms / multiplier, update_rate.drop_fraction,
    /// spikes.sr_threshold / mad_threshold.
    /// </summary>
    public void SetDetectors(ControlSnapshot snapshot)
    {
        var live = DetectorsOf(snapshot, out var errors);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(snapshot));
        // Invalid values throw: the control agent reports apply-failed and keeps the previous version.
        quality.Monitor?.SetLiveThresholds(live);
        LogDetectors(snapshot.Version);
    }

    private static Quality.DetectorOverrides DetectorsOf(ControlSnapshot snapshot, out List<string> errors)
    {
        var problems = new List<string>();
        double? D(string scope, string name) => snapshot.Detectors.Get(scope, name) is { } v ? (double)v : null;
        TimeSpan? Ms(string scope, string name)
        {
            if (snapshot.Detectors.Get(scope, name) is not { } v) return null;
            if (Math.Abs(v) <= 1e12m) return TimeSpan.FromMilliseconds((double)v);
            problems.Add($"set-detector {scope}.{name}: out of range (was {v})");
            return null;
        }

        var live = new Quality.DetectorOverrides
        {
            DivergenceThreshold = D("divergence", "threshold"),
            DivergenceFor = Ms("divergence", "for_ms"),
            NoDataFloor = Ms("no_data", "floor_ms"),
            NoDataCeiling = Ms("no_data", "ceiling_ms"),
            NoDataMultiplier = D("no_data", "multiplier"),
            UpdateRateDropFraction = D("update_rate", "drop_fraction"),
            SpikeSrThreshold = D("spikes", "sr_threshold"),
            SpikeMadThreshold = D("spikes", "mad_threshold"),
        };
        errors = problems;
        return live;
    }

    public Task ReloadReferenceDataAsync(long version, CancellationToken ct) => Task.CompletedTask;

    public string SnapshotState() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["providers"] = providers.Entries.Select(p => new Dictionary<string, object>
        {
            ["provider"] = p.Name,
            ["active_subscriptions"] = p.Provider.ActiveSubscriptions,
            ["events"] = p.Provider.Counters.Events,
        }).ToList(),
        ["pricing_parameters_version"] = pricing.Current.Version,
        ["instruments"] = refData.Count,
    });

    private (Ingestion.IMarketDataProvider Provider, ProviderKind Kind)? Find(string name)
    {
        return providers.Find(name) is { } entry ? (entry.Provider, entry.Kind) : null;
    }

    /// <summary>A canonical key in the provider's own symbols: the mapping seen on the wire first, else the venue grammar.</summary>
    private string? SymbolOf(ProviderKind kind, string canonicalKey)
    {
        if (!refData.TryResolveKey(canonicalKey, out var instrument))
        {
            return null;
        }

        return kind.VenueSymbol(instrument.Spec);
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Control: subscribing {Count} symbol(s) on {Provider}")]
    private partial void LogSubscribe(string provider, int count);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Control: unsubscribing {Count} symbol(s) on {Provider}")]
    private partial void LogUnsubscribe(string provider, int count);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Control: no provider named {Provider} on this instance")]
    private partial void LogUnknownProvider(string provider);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "Control: pricing parameters version {Version} (swapped: {Swapped})")]
    private partial void LogPricing(int version, bool swapped);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "Control: detector thresholds of version {Version} applied")]
    private partial void LogDetectors(long version);
}
