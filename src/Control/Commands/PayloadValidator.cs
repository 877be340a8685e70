using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>
/// Checks each command type's payload against its schema. A rejection names the field, e.g.
/// <c>payload.instruments[2]: not a canonical instrument key</c>.
/// </summary>
public static partial class PayloadValidator
{
    /// <summary>Most instruments one subscribe/unsubscribe may name.</summary>
    public const int MaxInstruments = 10_000;

    /// <summary>Pricing parameters a command may set.</summary>
    public static readonly ImmutableSortedSet<string> PricingParameters =
        ["max_age_ms", "min_interval_ms", "min_sources", "outlier_ratio", "stale_after_ms", "weight"];

    /// <summary>Instrument classes pricing parameters may be set for (MarketType names).</summary>
    public static readonly ImmutableSortedSet<string> PricingClasses = ["composite", "future", "index", "option", "perp", "spot"];

    public static bool TryValidate(string type, JsonElement payload, out ControlCommand? command, out string? error)
    {
        command = null;
        try
        {
            command = type switch
            {
                CommandTypes.Subscribe => Subscription(true, Read(payload, PayloadJsonContext.Default.SubscriptionPayload)),
                CommandTypes.Unsubscribe => Subscription(false, Read(payload, PayloadJsonContext.Default.SubscriptionPayload)),
                CommandTypes.SetPricing => Pricing(Read(payload, PayloadJsonContext.Default.PricingPayload)),
                CommandTypes.SetDetector => Detector(Read(payload, PayloadJsonContext.Default.DetectorPayload)),
                CommandTypes.PauseProvider => new ProviderPauseCommand(true, Provider(Read(payload, PayloadJsonContext.Default.ProviderPayload).Provider)),
                CommandTypes.ResumeProvider => new ProviderPauseCommand(false, Provider(Read(payload, PayloadJsonContext.Default.ProviderPayload).Provider)),
                CommandTypes.ReloadReferenceData => Reload(Read(payload, PayloadJsonContext.Default.ReloadReferenceDataPayload)),
                CommandTypes.SnapshotState => Snapshot(Read(payload, PayloadJsonContext.Default.EmptyPayload)),
                _ => throw new PayloadException("type", $"'{type}' is not an allowed command type"),
            };
            error = null;
            return true;
        }
        catch (PayloadException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static T Read<T>(JsonElement payload, JsonTypeInfo<T> info)
    {
        try
        {
            return payload.Deserialize(info) ?? throw new PayloadException("payload", "required");
        }
        catch (JsonException ex)
        {
            var unmapped = UnmappedProperty().Match(ex.Message);
            if (unmapped.Success)
            {
                throw new PayloadException(Field(ex.Path, unmapped.Groups[1].Value), "unknown field");
            }

            throw new PayloadException(Field(ex.Path, null), "wrong JSON type");
        }
    }

    private static string Field(string? jsonPath, string? child)
    {
        var p = string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "payload" : "payload" + jsonPath[1..];
        // The serializer's path already ends at an unknown member; the root path does not.
        return child is null || p.EndsWith("." + child, StringComparison.Ordinal) ? p : p + "." + child;
    }

    private static SubscriptionCommand Subscription(bool subscribe, SubscriptionPayload p)
    {
        string source;
        if (p.Provider is not null)
        {
            source = Provider(p.Provider);
            if (p.Venue is not null)
            {
                if (source != ProviderId.Aggregator.Name)
                {
                    throw new PayloadException("payload.venue", "only an aggregator provider takes a venue as well");
                }

                source += "@" + Venue(p.Venue);
            }
        }
        else if (p.Venue is not null)
        {
            source = Venue(p.Venue); // a venue alone means that venue's direct provider
        }
        else
        {
            throw new PayloadException("payload.provider", "provider or venue is required");
        }

        if (p.Instruments is null || p.Instruments.Count == 0)
        {
            throw new PayloadException("payload.instruments", "required, at least one canonical instrument key");
        }

        if (p.Instruments.Count > MaxInstruments)
        {
            throw new PayloadException("payload.instruments", $"at most {MaxInstruments} per command");
        }

        for (var i = 0; i < p.Instruments.Count; i++)
        {
            if (!IsCanonicalKey(p.Instruments[i]))
            {
                throw new PayloadException($"payload.instruments[{i}]", "not a canonical instrument key");
            }
        }

        var classes = DataClasses.None;
        if (p.DataClasses is null)
        {
            // Unsubscribing without classes drops every class; subscribing must say what it wants.
            classes = subscribe ? throw new PayloadException("payload.data_classes", $"required: {string.Join(", ", DataClassesText.AllNames)}") : DataClasses.All;
        }
        else
        {
            if (p.DataClasses.Count == 0)
            {
                throw new PayloadException("payload.data_classes", "must not be empty");
            }

            for (var i = 0; i < p.DataClasses.Count; i++)
            {
                if (!DataClassesText.TryParse(p.DataClasses[i], out var flag))
                {
                    throw new PayloadException($"payload.data_classes[{i}]", $"not a data class ({string.Join(", ", DataClassesText.AllNames)})");
                }

                classes |= flag;
            }
        }

        return new SubscriptionCommand(subscribe, source, [.. p.Instruments.Distinct(StringComparer.Ordinal)], classes);
    }

    private static PricingCommand Pricing(PricingPayload p)
    {
        if ((p.Classes is null || p.Classes.Count == 0) && (p.Instruments is null || p.Instruments.Count == 0))
        {
            throw new PayloadException("payload", "classes or instruments is required");
        }

        var classes = Scopes(p.Classes, "payload.classes", c => PricingClasses.Contains(c) ? null : $"not an instrument class ({string.Join(", ", PricingClasses)})",
            n => PricingParameters.Contains(n) ? null : $"not a pricing parameter ({string.Join(", ", PricingParameters)})");
        var instruments = Scopes(p.Instruments, "payload.instruments", k => IsCanonicalKey(k) ? null : "not a canonical instrument key",
            n => PricingParameters.Contains(n) ? null : $"not a pricing parameter ({string.Join(", ", PricingParameters)})");
        return new PricingCommand(classes, instruments);
    }

    private static DetectorCommand Detector(DetectorPayload p)
    {
        if (p.Detectors is null || p.Detectors.Count == 0)
        {
            throw new PayloadException("payload.detectors", "required, at least one detector");
        }

        return new DetectorCommand(Scopes(p.Detectors, "payload.detectors",
            d => NamePattern().IsMatch(d) ? null : "detector names are [a-z][a-z0-9_]{0,63}",
            n => NamePattern().IsMatch(n) ? null : "threshold names are [a-z][a-z0-9_]{0,63}"));
    }

    private static ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, decimal>> Scopes(
        Dictionary<string, Dictionary<string, string>>? scopes, string path, Func<string, string?> checkScope, Func<string, string?> checkName)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, decimal>>(StringComparer.Ordinal);
        if (scopes is null)
        {
            return result.ToImmutable();
        }

        foreach (var (scope, values) in scopes)
        {
            if (checkScope(scope) is { } bad)
            {
                throw new PayloadException($"{path}.{scope}", bad);
            }

            if (values is null)
            {
                throw new PayloadException($"{path}.{scope}", "must be an object (use {} to remove the overrides)");
            }

            var inner = ImmutableSortedDictionary.CreateBuilder<string, decimal>(StringComparer.Ordinal);
            foreach (var (name, text) in values)
            {
                if (checkName(name) is { } badName)
                {
                    throw new PayloadException($"{path}.{scope}.{name}", badName);
                }

                if (!TryDecimal(text, out var value))
                {
                    throw new PayloadException($"{path}.{scope}.{name}", "not a decimal string (e.g. \"0.05\")");
                }

                inner[name] = value;
            }

            result[scope] = inner.ToImmutable();
        }

        return result.ToImmutable();
    }

    private static ReloadReferenceDataCommand Reload(ReloadReferenceDataPayload p) =>
        p.Version is > 0 ? new ReloadReferenceDataCommand(p.Version.Value) : throw new PayloadException("payload.version", "required, a positive integer");

    private static SnapshotStateCommand Snapshot(EmptyPayload _) => new();

    private static string Provider(string? name)
    {
        if (name is null)
        {
            throw new PayloadException("payload.provider", "required");
        }

        return ProviderId.TryParse(name, out var id) ? id.Name : throw new PayloadException("payload.provider", $"unknown provider '{name}'");
    }

    private static string Venue(string name) =>
        VenueId.TryParse(name, out var v) ? v.Name : throw new PayloadException("payload.venue", $"unknown venue '{name}'");

    /// <summary>A key that parses and prints back unchanged (so <c>BTC-USD.SPOT</c>, not <c>btc-usd.spot</c> or junk).</summary>
    public static bool IsCanonicalKey(string? key) =>
        key is { Length: > 0 and <= 128 } && InstrumentSpec.TryParseKey(key, out var spec) && spec!.Key == key;

    internal static bool TryDecimal(string? text, out decimal value)
    {
        value = 0;
        return text is { Length: > 0 and <= 64 } &&
               decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("property '([^']*)'")]
    private static partial Regex UnmappedProperty();

    private sealed class PayloadException(string field, string problem) : Exception($"{field}: {problem}");
}
