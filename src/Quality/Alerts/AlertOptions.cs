using System.Threading.Channels;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Quality.Alerts;

/// <summary>Alert lifecycle, rate limits, delivery and sinks (configuration section <c>Quality:Alerts</c>).</summary>
public sealed class AlertOptions : ICheckedOptions
{
    public const string Section = QualityOptions.Section + ":Alerts";

    /// <summary>At most this many notifications per minute across all keys (token bucket). Default 60.</summary>
    public int MaxNotificationsPerMinute { get; set; } = 60;

    /// <summary>Token-bucket burst. Default 20.</summary>
    public int Burst { get; set; } = 20;

    /// <summary>A key that resolved is not announced firing again before this much time (flap damping). Default 1 min.</summary>
    public TimeSpan RefireHoldDown { get; set; } = TimeSpan.FromMinutes(1);

    public DeliveryOptions Delivery { get; set; } = new();

    public SlackOptions Slack { get; set; } = new();

    public WebhookOptions Webhook { get; set; } = new();

    public IEnumerable<string> Errors()
    {
        if (MaxNotificationsPerMinute is < 1 or > 100_000) yield return $"{Section}:{nameof(MaxNotificationsPerMinute)} must be 1..100000 (was {MaxNotificationsPerMinute})";
        if (Burst is < 1 or > 100_000) yield return $"{Section}:{nameof(Burst)} must be 1..100000 (was {Burst})";
        if (RefireHoldDown < TimeSpan.Zero || RefireHoldDown > TimeSpan.FromHours(1)) yield return $"{Section}:{nameof(RefireHoldDown)} must be 0..01:00:00 (was {RefireHoldDown})";
        foreach (var e in Delivery.Errors()) yield return e;
        foreach (var e in Slack.Errors()) yield return e;
        foreach (var e in Webhook.Errors()) yield return e;
    }
}

/// <summary>Per-sink bounded queue and retries (section <c>Quality:Alerts:Delivery</c>).</summary>
public sealed class DeliveryOptions : ICheckedOptions
{
    public const string Section = AlertOptions.Section + ":Delivery";

    /// <summary>Bounded queue per sink, in notifications. Default 1024.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>What a full queue does. Default <see cref="BoundedChannelFullMode.DropOldest"/>: the newest news wins; drops are counted. <c>Wait</c> is refused: the pipeline never blocks.</summary>
    public BoundedChannelFullMode FullMode { get; set; } = BoundedChannelFullMode.DropOldest;

    /// <summary>Attempts per notification, including the first. Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay; doubles each attempt with ±20 % jitter. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest retry delay. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per-attempt timeout. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<string> Errors()
    {
        if (QueueCapacity is < 1 or > 1_000_000) yield return $"{Section}:{nameof(QueueCapacity)} must be 1..1000000 (was {QueueCapacity})";
        if (FullMode == BoundedChannelFullMode.Wait) yield return $"{Section}:{nameof(FullMode)} must drop (DropOldest, DropNewest or DropWrite); Wait would block the pipeline";
        if (MaxAttempts is < 1 or > 100) yield return $"{Section}:{nameof(MaxAttempts)} must be 1..100 (was {MaxAttempts})";
        if (InitialBackoff < TimeSpan.Zero || InitialBackoff > MaxBackoff) yield return $"{Section}:{nameof(InitialBackoff)} must be 0..{nameof(MaxBackoff)} (was {InitialBackoff})";
        if (MaxBackoff > TimeSpan.FromMinutes(10)) yield return $"{Section}:{nameof(MaxBackoff)} must be at most 00:10:00 (was {MaxBackoff})";
        if (AttemptTimeout <= TimeSpan.Zero || AttemptTimeout > TimeSpan.FromMinutes(5)) yield return $"{Section}:{nameof(AttemptTimeout)} must be in (0, 00:05:00] (was {AttemptTimeout})";
    }
}

/// <summary>Slack incoming webhook (section <c>Quality:Alerts:Slack</c>). The URL is a secret: never logged.</summary>
public sealed class SlackOptions : ICheckedOptions
{
    public const string Section = AlertOptions.Section + ":Slack";

    public bool Enabled { get; set; }

    /// <summary>The incoming-webhook URL, or null to read <see cref="WebhookUrlFile"/>.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>A file holding the webhook URL (e.g. a mounted Kubernetes secret).</summary>
    public string? WebhookUrlFile { get; set; }

    /// <summary>Grafana panel link with <c>{provider}</c>, <c>{venue}</c>, <c>{instrument}</c> placeholders (URL-escaped); null for no link.</summary>
    public string? GrafanaUrlTemplate { get; set; } =
        "http://localhost:3000/d/cloudwall-md/market-data?var-provider={provider}&var-venue={venue}&var-instrument={instrument}";

    /// <summary>Placeholder value for a label the alert does not carry (a venue alert has no instrument). Default <c>$__all</c>.</summary>
    public string GrafanaAllValue { get; set; } = "$__all";

    /// <summary>Lowest severity sent to Slack. Default Warning (spikes are Info: Kafka and webhook only).</summary>
    public AlertSeverity MinSeverity { get; set; } = AlertSeverity.Warning;

    public IEnumerable<string> Errors()
    {
        if (!Enabled) yield break;
        if (WebhookUrl is null && WebhookUrlFile is null) yield return $"{Section}:{nameof(WebhookUrl)} or {Section}:{nameof(WebhookUrlFile)} is required when Slack is enabled";
        if (WebhookUrl is not null && !Uri.TryCreate(WebhookUrl, UriKind.Absolute, out _)) yield return $"{Section}:{nameof(WebhookUrl)} is not an absolute URL";
        if (GrafanaUrlTemplate is not null && !GrafanaUrlTemplate.StartsWith("http", StringComparison.Ordinal)) yield return $"{Section}:{nameof(GrafanaUrlTemplate)} must start with http";
    }
}

/// <summary>Generic signed JSON webhook (section <c>Quality:Alerts:Webhook</c>). URL and secrets are never logged.</summary>
public sealed class WebhookOptions : ICheckedOptions
{
    public const string Section = AlertOptions.Section + ":Webhook";

    public bool Enabled { get; set; }

    public string? Url { get; set; }

    public string? UrlFile { get; set; }

    /// <summary>
    /// The signing secret, or null to read <see cref="SecretFile"/>: <c>whsec_</c> + base64 of 24–64 random bytes (the
    /// Standard Webhooks form), or a legacy string of at least 16 characters whose UTF-8 bytes are the key.
    /// </summary>
    public string? Secret { get; set; }

    public string? SecretFile { get; set; }

    /// <summary>Key rotation: older secrets still signed with, after <see cref="Secret"/> (one more <c>v1</c> signature each).</summary>
    public List<string> PreviousSecrets { get; set; } = [];

    /// <summary>Key rotation: files holding older secrets (e.g. a second key of the mounted Secret).</summary>
    public List<string> PreviousSecretFiles { get; set; } = [];

    /// <summary>
    /// Also send the deprecated Stripe-style <c>X-Cloudwall-Signature</c> header (signed with <see cref="Secret"/>).
    /// Default true for this release; the header and this key go in the next one.
    /// </summary>
    public bool LegacySignatureHeader { get; set; } = true;

    public AlertSeverity MinSeverity { get; set; } = AlertSeverity.Info;

    /// <summary>The current secret, then the previous ones, read from configuration and files; a bad one throws naming its key.</summary>
    public IReadOnlyList<string> ResolveSecrets()
    {
        var all = new List<string> { Checked(SecretSource.Resolve(Secret, SecretFile, Section + ":" + nameof(Secret)), nameof(Secret)) };
        for (var i = 0; i < PreviousSecrets.Count; i++) all.Add(Checked(PreviousSecrets[i], $"{nameof(PreviousSecrets)}:{i}"));
        for (var i = 0; i < PreviousSecretFiles.Count; i++)
        {
            var key = $"{nameof(PreviousSecretFiles)}:{i}";
            all.Add(Checked(SecretSource.Resolve(null, PreviousSecretFiles[i], Section + ":" + key), key));
        }

        return all;

        static string Checked(string secret, string key) =>
            WebhookSignature.Problem(secret) is { } p ? throw new InvalidOperationException($"{Section}:{key} {p}") : secret;
    }

    public IEnumerable<string> Errors()
    {
        if (!Enabled) yield break;
        if (Url is null && UrlFile is null) yield return $"{Section}:{nameof(Url)} or {Section}:{nameof(UrlFile)} is required when the webhook is enabled";
        if (Url is not null && !Uri.TryCreate(Url, UriKind.Absolute, out _)) yield return $"{Section}:{nameof(Url)} is not an absolute URL";
        if (Secret is null && SecretFile is null) yield return $"{Section}:{nameof(Secret)} or {Section}:{nameof(SecretFile)} is required when the webhook is enabled";
        if (Secret is not null && WebhookSignature.Problem(Secret) is { } p) yield return $"{Section}:{nameof(Secret)} {p}";
        for (var i = 0; i < PreviousSecrets.Count; i++)
        {
            if (WebhookSignature.Problem(PreviousSecrets[i]) is { } q) yield return $"{Section}:{nameof(PreviousSecrets)}:{i} {q}";
        }
    }
}

/// <summary>Reads a value from configuration or from a file (trimmed). The value itself never reaches a log or an exception.</summary>
public static class SecretSource
{
    public static string Resolve(string? value, string? file, string key)
    {
        if (!string.IsNullOrEmpty(value)) return value;
        if (string.IsNullOrEmpty(file)) throw new InvalidOperationException($"{key} is not configured");
        if (!File.Exists(file)) throw new FileNotFoundException($"{key}File does not exist", file);
        var text = File.ReadAllText(file).Trim();
        return text.Length > 0 ? text : throw new InvalidOperationException($"{key}File is empty");
    }
}
