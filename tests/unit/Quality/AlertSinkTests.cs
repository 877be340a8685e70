using System.Net;
using System.Text;
using System.Threading.Channels;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>Captures requests; answers with the queued statuses, then 200.</summary>
internal sealed class FakeHandler : HttpMessageHandler
{
    private readonly Queue<HttpStatusCode> _statuses = new();

    public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = new();

    public FakeHandler Then(params HttpStatusCode[] statuses)
    {
        foreach (var s in statuses) _statuses.Enqueue(s);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (Requests) Requests.Add((request, body));
        return new HttpResponseMessage(_statuses.TryDequeue(out var s) ? s : HttpStatusCode.OK);
    }
}

public sealed class AlertSinkTests
{
    private const string SlackUrl = "https://hooks.slack.example/services/T0/B0/secret";
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly long At = UnixTime.FromDateTime(new DateTime(2026, 1, 1, 0, 2, 5, DateTimeKind.Utc));
    private static readonly long Since = At - 4 * UnixTime.NanosPerSecond;

    private static AlertNotification Venue(AlertStatus status = AlertStatus.Firing) => new(
        "no_data|venue|aggregator|kraken|||", DetectorNames.NoData, status, AlertSeverity.Critical, AlertLevel.Venue,
        new AlertLabels("aggregator", "kraken", null, null, null), "no data", Since, At, 5, 5, "s");

    [Fact]
    public async Task Slack_message_is_blocks_with_what_where_since_current_expected_and_grafana_link()
    {
        var handler = new FakeHandler();
        var sink = new SlackSink(new HttpClient(handler), new SlackOptions { Enabled = true, WebhookUrl = SlackUrl });
        await sink.SendAsync(Venue(), CancellationToken.None);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(SlackUrl, request.RequestUri!.ToString());
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        const string expected =
            """{"text":"[FIRING] critical no_data (venue): no data at provider=aggregator venue=kraken","blocks":[""" +
            """{"type":"header","text":{"type":"plain_text","text":"[FIRING] critical no_data (venue)"}},""" +
            """{"type":"section","text":{"type":"mrkdwn","text":"*What:* no data"},"fields":[""" +
            """{"type":"mrkdwn","text":"*Where*\nprovider=aggregator venue=kraken"},""" +
            """{"type":"mrkdwn","text":"*Since*\n2026-01-01T00:02:01Z"},""" +
            """{"type":"mrkdwn","text":"*Current*\n5 s"},""" +
            """{"type":"mrkdwn","text":"*Expected*\n5 s"}]},""" +
            """{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Open in Grafana"},""" +
            "\"url\":\"http://localhost:3000/d/cloudwall-md/market-data?var-provider=aggregator\\u0026var-venue=kraken\\u0026var-instrument=%24__all\"}]}," +
            """{"type":"context","elements":[{"type":"mrkdwn","text":"fingerprint \u0060no_data|venue|aggregator|kraken|||\u0060 at 2026-01-01T00:02:05Z"}]}]}""";
        Assert.Equal(expected, Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void Grafana_link_escapes_labels_and_uses_the_template()
    {
        var o = new SlackOptions { GrafanaUrlTemplate = "https://g.example/d/x?p={provider}&v={venue}&i={instrument}" };
        var url = SlackSink.GrafanaUrl(new AlertLabels("aggregator", "kraken", "BTC-USD-20261225.FUT", "trade", "future"), o);
        Assert.Equal("https://g.example/d/x?p=aggregator&v=kraken&i=BTC-USD-20261225.FUT", url);
        Assert.Null(SlackSink.GrafanaUrl(new AlertLabels("a", null, null, null, null), new SlackOptions { GrafanaUrlTemplate = null }));
    }

    [Fact]
    public async Task Webhook_posts_the_json_record_with_a_signature_that_verifies()
    {
        var handler = new FakeHandler();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 2, 6, TimeSpan.Zero));
        var sink = new WebhookSink(new HttpClient(handler), new WebhookOptions { Enabled = true, Url = "https://receiver.example/alerts", Secret = Secret }, time);
        await sink.SendAsync(Venue(), CancellationToken.None);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal("1767225726", Assert.Single(request.Headers.GetValues(WebhookSignature.TimestampHeader)));
        var key = WebhookSignature.DecodeSecret(Secret);
        Assert.Equal(WebhookVerification.Valid, Verify(request, body, key, time.GetUtcNow()));
        Assert.Equal(WebhookVerification.NoMatchingSignature, Verify(request, body, WebhookSignature.DecodeSecret(WebhookSignatureTests.NewSecret), time.GetUtcNow()));
        Assert.Equal(WebhookVerification.TooOld, Verify(request, body, key, time.GetUtcNow().AddSeconds(301)));
        var back = AlertCodec.Decode(body)!;
        Assert.Equal(Venue() with { }, back);
        var json = Encoding.UTF8.GetString(body);
        Assert.Contains("\"status\":\"firing\"", json, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"alert\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"instrument\"", json, StringComparison.Ordinal); // null labels are left out
    }

    [Fact]
    public void Signatures_match_the_documented_worked_examples()
    {
        // docs/quality.md, "Verifying a webhook": the spec's test vector.
        var key = WebhookSignature.DecodeSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        Assert.Equal(DocumentedSignature, WebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""u8));

        // docs/quality.md, "Deprecated: X-Cloudwall-Signature": same secret, timestamp and body as before.
        var header = LegacyWebhookSignature.Sign(Encoding.UTF8.GetBytes("whsec_test_secret_123"), 1767225726, """{"hello":"world"}"""u8);
        Assert.Equal("t=1767225726,v1=" + DocumentedHex, header);
    }

    internal const string DocumentedSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    internal const string DocumentedHex = "3f0c088e261f62ad629f8574fc9ba70bfc4a4280f633456de4b3b4766484992e";

    [Fact]
    public async Task Secrets_come_from_files()
    {
        var urlFile = Path.GetTempFileName();
        var secretFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(urlFile, "https://receiver.example/from-file\n");
            await File.WriteAllTextAsync(secretFile, Secret + "\n");
            var handler = new FakeHandler();
            var sink = new WebhookSink(new HttpClient(handler), new WebhookOptions { Enabled = true, UrlFile = urlFile, SecretFile = secretFile }, TimeProvider.System);
            await sink.SendAsync(Venue(), CancellationToken.None);
            var (request, body) = Assert.Single(handler.Requests);
            Assert.Equal("https://receiver.example/from-file", request.RequestUri!.ToString());
            Assert.Equal(WebhookVerification.Valid, Verify(request, body, WebhookSignature.DecodeSecret(Secret), DateTimeOffset.UtcNow));
        }
        finally
        {
            File.Delete(urlFile);
            File.Delete(secretFile);
        }
    }

    [Fact]
    public async Task Dispatcher_retries_then_delivers_and_counts_failures()
    {
        var handler = new FakeHandler().Then(HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests);
        var slack = new SlackSink(new HttpClient(handler), new SlackOptions { Enabled = true, WebhookUrl = SlackUrl });
        var failing = new FakeHandler().Then(Enumerable.Repeat(HttpStatusCode.BadGateway, 10).ToArray());
        var hook = new WebhookSink(new HttpClient(failing), new WebhookOptions { Enabled = true, Url = "https://r.example/", Secret = Secret }, TimeProvider.System);
        var kafka = new RecordingProducer();
        var options = new DeliveryOptions { InitialBackoff = TimeSpan.Zero, MaxAttempts = 3 };
        await using var d = new AlertDispatcher([slack, hook, new KafkaAlertSink(kafka)], options, new FakeTimeProvider());
        d.Notify(Venue());
        await d.DrainAsync();

        Assert.Equal(3, handler.Requests.Count); // 500, 429, then 200
        Assert.Equal(3, failing.Requests.Count);
        var stats = d.Stats;
        Assert.Equal(new SinkStats("slack", 1, 1, 2, 0, 0), stats[0]);
        Assert.Equal(new SinkStats("webhook", 1, 0, 2, 1, 0), stats[1]);
        Assert.Equal(new SinkStats("kafka", 1, 1, 0, 0, 0), stats[2]);
        var (topic, key, value) = Assert.Single(kafka.Records);
        Assert.Equal("md.quality.v1", topic);
        Assert.Equal("no_data|venue|aggregator|kraken|||", Encoding.UTF8.GetString(key));
        Assert.Equal(Venue(), AlertCodec.Decode(value));
    }

    [Fact]
    public async Task A_full_queue_drops_by_its_named_mode_and_counts_without_blocking()
    {
        var gate = new TaskCompletionSource();
        var sink = new BlockingSink(gate.Task);
        var options = new DeliveryOptions { QueueCapacity = 2, FullMode = BoundedChannelFullMode.DropOldest };
        await using var d = new AlertDispatcher([sink], options, new FakeTimeProvider());
        for (var i = 0; i < 10; i++) d.Notify(Venue() with { Current = i }); // never blocks
        gate.SetResult();
        await d.DrainAsync();
        var s = Assert.Single(d.Stats);
        Assert.Equal(s.Enqueued, s.Delivered + s.Dropped);
        Assert.True(s.Dropped >= 7, $"dropped {s.Dropped}");
        Assert.Equal(9, sink.Seen[^1].Current); // the newest survived
    }

    [Fact]
    public void Slack_takes_warnings_and_up_by_default()
    {
        var sink = new SlackSink(new HttpClient(new FakeHandler()), new SlackOptions { Enabled = true, WebhookUrl = SlackUrl });
        Assert.False(sink.Accepts(Venue() with { Severity = AlertSeverity.Info }));
        Assert.True(sink.Accepts(Venue()));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_caps()
    {
        var initial = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Delay(1, initial, max, 0.5, BackoffJitter.Proportional));
        Assert.Equal(TimeSpan.FromSeconds(4), Backoff.Delay(3, initial, max, 0.5, BackoffJitter.Proportional));
        Assert.Equal(TimeSpan.FromSeconds(24), Backoff.Delay(10, initial, max, 0, BackoffJitter.Proportional));
        Assert.Equal(TimeSpan.FromSeconds(0.8), Backoff.Delay(1, initial, max, 0, BackoffJitter.Proportional));
    }

    [Fact]
    public void Options_errors_name_the_key()
    {
        var o = new QualityOptions();
        o.Divergence.Threshold = 2;
        o.NoData.Ceiling = TimeSpan.FromMilliseconds(600); // below the 0.75 s floor
        o.Alerts.Delivery.FullMode = BoundedChannelFullMode.Wait;
        o.Alerts.Webhook.Enabled = true;
        o.Classes["bond"] = new DetectorOverrides();
        o.Instruments["BTC-USD.SPOT"] = new DetectorOverrides { DivergenceThreshold = -1 };
        var errors = o.Errors().ToList();
        Assert.Contains(errors, e => e.StartsWith("Quality:Divergence:Threshold ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quality:NoData:Ceiling ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quality:Alerts:Delivery:FullMode ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quality:Alerts:Webhook:Url ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quality:Alerts:Webhook:Secret ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quality:Classes:bond ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Quality:Instruments:BTC-USD.SPOT:DivergenceThreshold ", StringComparison.Ordinal));
        Assert.Empty(new QualityOptions().Errors());
        Assert.Throws<OptionsValidationException>(() => OptionsCheck.ThrowIfInvalid(o));
    }

    private static WebhookVerification Verify(HttpRequestMessage r, byte[] body, byte[] key, DateTimeOffset now) =>
        WebhookSignature.Verify(r.Headers.GetValues(WebhookSignature.IdHeader).Single(), r.Headers.GetValues(WebhookSignature.TimestampHeader).Single(),
            r.Headers.GetValues(WebhookSignature.SignatureHeader).Single(), [key], body, now);

    private sealed class RecordingProducer : IAlertRecordProducer
    {
        public List<(string Topic, byte[] Key, byte[] Value)> Records { get; } = new();

        public void Produce(string topic, byte[] key, byte[] value) => Records.Add((topic, key, value));
    }

    private sealed class BlockingSink(Task gate) : IAlertSink
    {
        public List<AlertNotification> Seen { get; } = new();

        public string Name => "blocking";

        public bool Accepts(AlertNotification notification) => true;

        public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            await gate;
            Seen.Add(notification);
        }
    }
}
