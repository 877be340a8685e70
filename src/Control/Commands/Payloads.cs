using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Control.Commands;

// Wire shapes of the payloads. Unknown members are refused (ControlJsonContext), so a typo is an error, not a silent default.

public sealed class SubscriptionPayload
{
    public string? Provider { get; set; }
    public string? Venue { get; set; }
    public List<string>? Instruments { get; set; }
    public List<string>? DataClasses { get; set; }
}

public sealed class PricingPayload
{
    /// <summary>Instrument class (spot, perp, future, option, index, composite) → parameter → decimal string.</summary>
    public Dictionary<string, Dictionary<string, string>>? Classes { get; set; }

    /// <summary>Canonical instrument key → parameter → decimal string.</summary>
    public Dictionary<string, Dictionary<string, string>>? Instruments { get; set; }
}

public sealed class DetectorPayload
{
    /// <summary>Detector name → threshold name → decimal string.</summary>
    public Dictionary<string, Dictionary<string, string>>? Detectors { get; set; }
}

public sealed class ProviderPayload
{
    public string? Provider { get; set; }
}

public sealed class ReloadReferenceDataPayload
{
    public long? Version { get; set; }
}

public sealed class EmptyPayload;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SubscriptionPayload))]
[JsonSerializable(typeof(PricingPayload))]
[JsonSerializable(typeof(DetectorPayload))]
[JsonSerializable(typeof(ProviderPayload))]
[JsonSerializable(typeof(ReloadReferenceDataPayload))]
[JsonSerializable(typeof(EmptyPayload))]
internal sealed partial class PayloadJsonContext : JsonSerializerContext;
