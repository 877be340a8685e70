using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Quality.Alerts;

[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlertNotification))]
internal sealed partial class AlertJsonContext : JsonSerializerContext;

/// <summary>
/// The alert record encoding: UTF-8 JSON (source-generated) for webhooks and for the md.quality.v1 value, keyed by the
/// fingerprint (UTF-8) so one alert's notifications stay in order on one partition.
/// </summary>
public static class AlertCodec
{
    public const string Topic = "md.quality.v1";

    public static byte[] EncodeValue(AlertNotification n) => JsonSerializer.SerializeToUtf8Bytes(n, AlertJsonContext.Default.AlertNotification);

    public static byte[] EncodeKey(AlertNotification n) => System.Text.Encoding.UTF8.GetBytes(n.Fingerprint);

    public static AlertNotification? Decode(ReadOnlySpan<byte> utf8) => JsonSerializer.Deserialize(utf8, AlertJsonContext.Default.AlertNotification);
}
