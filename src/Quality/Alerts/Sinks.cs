using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Cloudwall.Rx.Quality.Alerts;

/// <summary>One destination of alert notifications. Called from the dispatcher's worker, one at a time per sink.</summary>
public interface IAlertSink
{
    /// <summary>A short name for logs and counters (never a URL).</summary>
    string Name { get; }

    /// <summary>Whether this sink wants the notification (e.g. a minimum severity).</summary>
    bool Accepts(AlertNotification notification);

    /// <summary>Delivers once; throws (or returns a failed task) on failure so the dispatcher retries.</summary>
    Task SendAsync(AlertNotification notification, CancellationToken cancellationToken);
}

/// <summary>What the Kafka layer provides: a non-blocking produce (the lead wires it to the process's producer).</summary>
public interface IAlertRecordProducer
{
    void Produce(string topic, byte[] key, byte[] value);
}

/// <summary>Writes alerts to md.quality.v1 through <see cref="IAlertRecordProducer"/>.</summary>
public sealed class KafkaAlertSink(IAlertRecordProducer producer, string topic = AlertCodec.Topic) : IAlertSink
{
    public string Name => "kafka";

    public bool Accepts(AlertNotification notification) => true;

    public Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        producer.Produce(topic, AlertCodec.EncodeKey(notification), AlertCodec.EncodeValue(notification));
        return Task.CompletedTask;
    }
}

/// <summary>
/// Slack incoming webhook with Block Kit: what, where, since, current vs expected, and a Grafana link. Alert text is
/// escaped (<see cref="Escape"/>); a 429's <c>Retry-After</c> is honoured by the dispatcher (<see cref="AlertDispatcher"/>).
/// </summary>
public sealed class SlackSink : IAlertSink
{
    private readonly HttpClient _http;
    private readonly SlackOptions _options;
    private readonly Uri _url;

    /// <param name="http">Any client; tests pass one over a fake handler.</param>
    public SlackSink(HttpClient http, SlackOptions options)
    {
        _http = http;
        _options = options;
        _url = new Uri(SecretSource.Resolve(options.WebhookUrl, options.WebhookUrlFile, SlackOptions.Section + ":WebhookUrl"));
    }

    public string Name => "slack";

    public bool Accepts(AlertNotification notification) => notification.Severity >= _options.MinSeverity;

    public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(Format(notification, _options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(_url, content, cancellationToken).ConfigureAwait(false);
        AlertDelivery.EnsureSuccess(response);
    }

    /// <summary>The Slack message body (UTF-8 JSON).</summary>
    public static byte[] Format(AlertNotification n, SlackOptions options)
    {
        var status = n.Status == AlertStatus.Firing ? "FIRING" : "RESOLVED";
        var where = n.Labels.Describe();
        var title = $"[{status}] {n.Severity.ToText()} {n.Detector} ({n.Level.ToText()})";
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("text", title + ": " + Escape(n.Message ?? n.What + " at " + where));
            w.WriteStartArray("blocks");

            w.WriteStartObject();
            w.WriteString("type", "header");
            PlainText(w, "text", title);
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("type", "section");
            Markdown(w, "text", "*What:* " + Escape(n.Message ?? n.What));
            w.WriteStartArray("fields");
            Field(w, "*Where*\n" + Escape(where));
            Field(w, "*Since*\n" + n.Since);
            Field(w, "*Current*\n" + AlertNotification.Format(n.Current) + " " + Escape(n.Unit));
            Field(w, "*Expected*\n" + AlertNotification.Format(n.Expected) + " " + Escape(n.Unit));
            w.WriteEndArray();
            w.WriteEndObject();

            if (GrafanaUrl(n.Labels, options) is { } url)
            {
                w.WriteStartObject();
                w.WriteString("type", "actions");
                w.WriteStartArray("elements");
                w.WriteStartObject();
                w.WriteString("type", "button");
                PlainText(w, "text", "Open in Grafana");
                w.WriteString("url", url);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteStartObject();
            w.WriteString("type", "context");
            w.WriteStartArray("elements");
            w.WriteStartObject();
            w.WriteString("type", "mrkdwn");
            w.WriteString("text", "fingerprint `" + Escape(n.Fingerprint) + "` at " + n.At);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The panel link: placeholders replaced by URL-escaped labels (the "all" value when the alert lacks one).</summary>
    public static string? GrafanaUrl(AlertLabels labels, SlackOptions options)
    {
        if (options.GrafanaUrlTemplate is not { } t) return null;
        return t.Replace("{provider}", UrlValue(labels.Provider, options), StringComparison.Ordinal)
            .Replace("{venue}", UrlValue(labels.Venue, options), StringComparison.Ordinal)
            .Replace("{instrument}", UrlValue(labels.Instrument, options), StringComparison.Ordinal);
    }

    /// <summary>
    /// Slack's escaping of mrkdwn text: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are its control characters (links,
    /// mentions such as <c>&lt;!channel&gt;</c>), so alert text replaces them by their HTML entities and nothing else
    /// ("Formatting text for app surfaces", section "Escaping text", api.slack.com/reference/surfaces/formatting#escaping,
    /// checked 2026-12-06). Labels and messages come from venues and operators: never let them ping a channel.
    /// </summary>
    public static string Escape(string text) =>
        text.AsSpan().IndexOfAny('&', '<', '>') < 0
            ? text
            : text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string UrlValue(string? v, SlackOptions o) => Uri.EscapeDataString(v ?? o.GrafanaAllValue);

    private static void PlainText(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "plain_text");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void Markdown(Utf8JsonWriter w, string name, string text)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void Field(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }
}

/// <summary>
/// Generic JSON webhook signed per Standard Webhooks (<see cref="WebhookSignature"/>, docs/quality.md): a
/// <c>webhook-id</c> stable across retries, the attempt's <c>webhook-timestamp</c>, and one <c>v1</c> signature per
/// configured secret (current first, then previous ones during a rotation). The deprecated
/// <see cref="LegacyWebhookSignature"/> header goes along for one release unless turned off.
/// </summary>
public sealed class WebhookSink : IAlertSink
{
    private readonly HttpClient _http;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly Uri _url;
    private readonly byte[][] _keys;
    private readonly byte[]? _legacySecret;

    public WebhookSink(HttpClient http, WebhookOptions options, TimeProvider time)
    {
        _http = http;
        _options = options;
        _time = time;
        _url = new Uri(SecretSource.Resolve(options.Url, options.UrlFile, WebhookOptions.Section + ":Url"));
        var secrets = options.ResolveSecrets();
        _keys = secrets.Select(WebhookSignature.DecodeSecret).ToArray();
        _legacySecret = options.LegacySignatureHeader ? Encoding.UTF8.GetBytes(secrets[0]) : null;
    }

    public string Name => "webhook";

    public bool Accepts(AlertNotification notification) => notification.Severity >= _options.MinSeverity;

    public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        var body = AlertCodec.EncodeValue(notification);
        using var request = new HttpRequestMessage(HttpMethod.Post, _url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // Signed at send time: each retry carries a fresh timestamp, under the same id.
        var id = WebhookSignature.MessageId(body);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, now.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_keys, id, now, body));
        if (_legacySecret is not null) request.Headers.TryAddWithoutValidation(LegacyWebhookSignature.Header, LegacyWebhookSignature.Sign(_legacySecret, now, body));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        AlertDelivery.EnsureSuccess(response);
    }
}
