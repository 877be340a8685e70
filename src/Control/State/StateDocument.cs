using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cloudwall.Rx.Control.Commands;

namespace Cloudwall.Rx.Control.State;

/// <summary>
/// The desired state as stored at <see cref="ControlKeys.State"/>: the snapshot plus the command that produced it, signed with
/// the same canonical form as commands so an instance refuses a state that no key holder wrote.
/// </summary>
public static class StateDocument
{
    public static string Serialize(ControlSnapshot s, string? commandType, SigningKeyRing keys, string keyId)
    {
        var dto = ToDto(s, commandType, keyId);
        var unsigned = JsonSerializer.SerializeToUtf8Bytes(dto, ControlJsonContext.Default.StateDocumentDto);
        using (var doc = JsonDocument.Parse(unsigned))
        {
            dto.Signature = keys.Sign(keyId, CanonicalJson.Canonicalize(doc.RootElement, "signature"));
        }

        return JsonSerializer.Serialize(dto, ControlJsonContext.Default.StateDocumentDto);
    }

    /// <summary>Parses and verifies a stored state. Errors name the field or the signature problem.</summary>
    public static bool TryParse(string json, SigningKeyRing keys, out ControlSnapshot? snapshot, out string? error)
    {
        snapshot = null;
        StateDocumentDto? dto;
        byte[] canonical;
        try
        {
            using var doc = JsonDocument.Parse(json);
            canonical = CanonicalJson.Canonicalize(doc.RootElement, "signature");
            dto = doc.RootElement.Deserialize(ControlJsonContext.Default.StateDocumentDto);
        }
        catch (Exception ex) when (ex is JsonException or CanonicalJsonException)
        {
            error = $"state is not a valid document: {ex.Message}";
            return false;
        }

        if (dto is null)
        {
            error = "state is null";
            return false;
        }

        var check = keys.Verify(dto.KeyId, dto.Signature, canonical);
        if (check != SignatureCheck.Valid)
        {
            error = $"state signature: {check}";
            return false;
        }

        try
        {
            snapshot = FromDto(dto);
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            error = $"state: {ex.Message}";
            return false;
        }
    }

    /// <summary>Parses a stored state for display, verifying the signature only when <paramref name="keys"/> is given.</summary>
    public static bool TryRead(string json, SigningKeyRing? keys, out ControlSnapshot? snapshot, out string? error)
    {
        if (keys is not null) return TryParse(json, keys, out snapshot, out error);
        snapshot = null;
        try
        {
            var dto = JsonSerializer.Deserialize(json, ControlJsonContext.Default.StateDocumentDto);
            snapshot = dto is null ? null : FromDto(dto);
            error = snapshot is null ? "state is null" : null;
            return snapshot is not null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The version in a stored state without verifying it (for display and compare-and-set).</summary>
    public static long PeekVersion(string? json)
    {
        if (json is null) return 0;
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("version", out var v) && v.TryGetInt64(out var n) ? n : 0;
    }

    private static StateDocumentDto ToDto(ControlSnapshot s, string? commandType, string keyId) => new()
    {
        Version = s.Version,
        UpdatedAt = CommandEnvelope.FormatTime(s.UpdatedAt),
        CommandId = s.CommandId,
        CommandType = commandType,
        KeyId = keyId,
        Config = new ConfigDto
        {
            Subscriptions = s.Subscriptions.ToDictionary(
                p => p.Key, p => p.Value.ToDictionary(i => i.Key, i => i.Value.ToNames(), StringComparer.Ordinal), StringComparer.Ordinal),
            Pricing = new PricingDto { Classes = Params(s.PricingByClass), Instruments = Params(s.PricingByInstrument) },
            Detectors = Params(s.Detectors),
            PausedProviders = [.. s.PausedProviders],
            ReferenceDataVersion = s.ReferenceDataVersion,
        },
    };

    private static Dictionary<string, Dictionary<string, string>> Params(ScopedParameters p) =>
        p.Scopes.ToDictionary(s => s.Key, s => s.Value.ToDictionary(v => v.Key, v => v.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal), StringComparer.Ordinal);

    private static ControlSnapshot FromDto(StateDocumentDto d)
    {
        if (d.Version < 0) throw new FormatException("version: must not be negative");
        if (!CommandEnvelope.TryParseTime(d.UpdatedAt ?? "", out var at)) throw new FormatException("updated_at: not an RFC 3339 UTC time");
        var c = d.Config ?? throw new FormatException("config: required");
        var subs = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, DataClasses>>(StringComparer.Ordinal);
        foreach (var (source, instruments) in c.Subscriptions ?? [])
        {
            var b = ImmutableSortedDictionary.CreateBuilder<string, DataClasses>(StringComparer.Ordinal);
            foreach (var (key, names) in instruments)
            {
                if (!PayloadValidator.IsCanonicalKey(key)) throw new FormatException($"config.subscriptions.{source}.{key}: not a canonical instrument key");
                var classes = DataClasses.None;
                foreach (var n in names)
                {
                    classes |= DataClassesText.TryParse(n, out var f) ? f : throw new FormatException($"config.subscriptions.{source}.{key}: '{n}' is not a data class");
                }

                if (classes != DataClasses.None) b[key] = classes;
            }

            if (b.Count > 0) subs[source] = b.ToImmutable();
        }

        return new ControlSnapshot
        {
            Version = d.Version,
            UpdatedAt = at,
            CommandId = d.CommandId,
            Subscriptions = subs.ToImmutable(),
            PricingByClass = Scoped(c.Pricing?.Classes, "config.pricing.classes"),
            PricingByInstrument = Scoped(c.Pricing?.Instruments, "config.pricing.instruments"),
            Detectors = Scoped(c.Detectors, "config.detectors"),
            PausedProviders = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, c.PausedProviders ?? []),
            ReferenceDataVersion = c.ReferenceDataVersion,
        };
    }

    private static ScopedParameters Scoped(Dictionary<string, Dictionary<string, string>>? scopes, string path)
    {
        var b = ImmutableSortedDictionary.CreateBuilder<string, ImmutableSortedDictionary<string, decimal>>(StringComparer.Ordinal);
        foreach (var (scope, values) in scopes ?? [])
        {
            var inner = ImmutableSortedDictionary.CreateBuilder<string, decimal>(StringComparer.Ordinal);
            foreach (var (name, text) in values)
            {
                inner[name] = PayloadValidator.TryDecimal(text, out var v) ? v : throw new FormatException($"{path}.{scope}.{name}: not a decimal string");
            }

            if (inner.Count > 0) b[scope] = inner.ToImmutable();
        }

        return new ScopedParameters(b.ToImmutable());
    }
}

public sealed class StateDocumentDto
{
    public long Version { get; set; }
    public string? UpdatedAt { get; set; }
    public string? CommandId { get; set; }
    public string? CommandType { get; set; }
    public ConfigDto? Config { get; set; }
    public string? KeyId { get; set; }
    public string? Signature { get; set; }
}

public sealed class ConfigDto
{
    public Dictionary<string, Dictionary<string, string[]>>? Subscriptions { get; set; }
    public PricingDto? Pricing { get; set; }
    public Dictionary<string, Dictionary<string, string>>? Detectors { get; set; }
    public string[]? PausedProviders { get; set; }
    public long ReferenceDataVersion { get; set; }
}

public sealed class PricingDto
{
    public Dictionary<string, Dictionary<string, string>>? Classes { get; set; }
    public Dictionary<string, Dictionary<string, string>>? Instruments { get; set; }
}

/// <summary>What happened to a command: at submission (<c>stage: submit</c>) and at each instance (<c>stage: apply</c>).</summary>
public sealed record CommandResult
{
    public const string Applied = "applied";
    public const string Rejected = "rejected";
    public const string NoOp = "no-op";

    public required string Status { get; init; }

    /// <summary>For a rejection: the reason code (<see cref="RejectReasons"/>), a colon, and the detail naming the field.</summary>
    public string? Reason { get; init; }

    public string? CommandId { get; init; }

    public string? Type { get; init; }

    public string? KeyId { get; init; }

    /// <summary>The desired-state version this result is about (after the command, or the one applied).</summary>
    public long Version { get; init; }

    public required string Instance { get; init; }

    /// <summary><c>submit</c>: the desired state was (or was not) changed; <c>apply</c>: an instance applied it; <c>snapshot</c>: a state dump.</summary>
    public required string Stage { get; init; }

    public DateTimeOffset At { get; init; }

    /// <summary>snapshot-state only: the instance's state as JSON text.</summary>
    public string? State { get; init; }

    [JsonIgnore]
    public bool IsRejected => Status == Rejected;

    /// <summary>The reason code alone (the text before the first colon).</summary>
    [JsonIgnore]
    public string? ReasonCode => Reason is null ? null : Reason.IndexOf(':') is var i and > 0 ? Reason[..i] : Reason;

    public string ToJson() => JsonSerializer.Serialize(this, ControlJsonContext.Default.CommandResult);

    /// <summary>The HTTP status for <c>POST /commands</c>: 200 applied or no-op; 409 stale-version or conflict; 503 unavailable; 401 for
    /// signature problems; 400 otherwise.</summary>
    [JsonIgnore]
    public int HttpStatus => Status != Rejected ? 200 : ReasonCode switch
    {
        Commands.RejectReasons.StaleVersion or Commands.RejectReasons.Conflict => 409,
        Commands.RejectReasons.Unavailable or Commands.RejectReasons.BadState => 503,
        Commands.RejectReasons.Unsigned or Commands.RejectReasons.UnknownKey or Commands.RejectReasons.BadSignature
            or Commands.RejectReasons.Skew or Commands.RejectReasons.Replay => 401,
        _ => 400,
    };

    public static CommandResult? FromJson(string json) => JsonSerializer.Deserialize(json, ControlJsonContext.Default.CommandResult);
}

/// <summary>A message on the commands channel: "state changed to version N", or a signed snapshot-state request.</summary>
public sealed class ControlSignal
{
    public const string StateKind = "state";
    public const string SnapshotKind = "snapshot-state";

    public string Kind { get; set; } = StateKind;
    public long Version { get; set; }

    /// <summary>snapshot-state: the signed envelope, as text, so each instance verifies it itself.</summary>
    public string? Envelope { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, ControlJsonContext.Default.ControlSignal);

    public static ControlSignal? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, ControlJsonContext.Default.ControlSignal);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StateDocumentDto))]
[JsonSerializable(typeof(CommandResult))]
[JsonSerializable(typeof(ControlSignal))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
