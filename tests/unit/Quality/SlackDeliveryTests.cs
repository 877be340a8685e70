using System.Net;
using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Quality;

/// <summary>Slack's 429 Retry-After holds the next attempt on virtual time; alert text is escaped as Slack requires.</summary>
public sealed class SlackDeliveryTests
{
    private const string SlackUrl = "https://hooks.slack.example/services/T0/B0/secret";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 2, 6, TimeSpan.Zero);

    private static AlertNotification Alert(string? instrument = null, string? message = null) => new(
        "no_data|instrument|aggregator|kraken|" + instrument + "||", DetectorNames.NoData, AlertStatus.Firing, AlertSeverity.Critical,
        instrument is null ? AlertLevel.Venue : AlertLevel.Instrument, new AlertLabels("aggregator", "kraken", instrument, null, null), "no data",
        UnixTime.FromDateTime(Start.UtcDateTime) - 4 * UnixTime.NanosPerSecond, UnixTime.FromDateTime(Start.UtcDateTime), 5, 5, "s", message);

    [Fact]
    public async Task A_429_with_Retry_After_holds_the_retry_for_that_many_seconds_of_virtual_time()
    {
        var time = new SignallingTimeProvider(Start);
        var handler = new StampingHandler(time, RateLimited(3));
        var options = new DeliveryOptions { InitialBackoff = TimeSpan.Zero, MaxAttempts = 3 };
        await using var d = new AlertDispatcher([Slack(handler)], options, time);
        d.Notify(Alert());

        await time.WaitForTimerAsync(); // the worker now waits on virtual time
        Assert.Single(handler.Stamps);
        time.Advance(TimeSpan.FromSeconds(2.9));
        Assert.Single(handler.Stamps);
        time.Advance(TimeSpan.FromSeconds(0.1));
        await d.DrainAsync();

        Assert.Equal([Start, Start.AddSeconds(3)], handler.Stamps);
        Assert.Equal(new SinkStats("slack", 1, 1, 1, 0, 0), Assert.Single(d.Stats));
    }

    [Fact]
    public async Task Retry_After_also_holds_the_next_notification_when_the_last_attempt_was_rate_limited()
    {
        var time = new SignallingTimeProvider(Start);
        var handler = new StampingHandler(time, RateLimited(3));
        await using var d = new AlertDispatcher([Slack(handler)], new DeliveryOptions { MaxAttempts = 1 }, time);
        d.Notify(Alert("BTC-USD.SPOT"));
        d.Notify(Alert("ETH-USD.SPOT"));

        await time.WaitForTimerAsync();
        Assert.Single(handler.Stamps);
        time.Advance(TimeSpan.FromSeconds(3));
        await d.DrainAsync();

        Assert.Equal([Start, Start.AddSeconds(3)], handler.Stamps);
        Assert.Equal(new SinkStats("slack", 2, 1, 0, 1, 0), Assert.Single(d.Stats));
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_backoff_cap_waits_the_cap()
    {
        var time = new SignallingTimeProvider(Start);
        var handler = new StampingHandler(time, RateLimited(3600));
        var options = new DeliveryOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.FromSeconds(10), MaxAttempts = 2 };
        await using var d = new AlertDispatcher([Slack(handler)], options, time);
        d.Notify(Alert());

        await time.WaitForTimerAsync();
        time.Advance(TimeSpan.FromSeconds(10));
        await d.DrainAsync();

        Assert.Equal([Start, Start.AddSeconds(10)], handler.Stamps);
    }

    [Fact]
    public void Alert_text_is_escaped_so_labels_and_messages_cannot_mention_or_link()
    {
        var body = SlackSink.Format(Alert("<!channel> & <https://evil.example|x>", "price <!here> & more"), new SlackOptions { GrafanaUrlTemplate = null });
        using var doc = JsonDocument.Parse(body);
        var texts = new List<string>();
        Collect(doc.RootElement, texts);

        Assert.DoesNotContain(texts, t => t.Contains('<', StringComparison.Ordinal) || t.Contains('>', StringComparison.Ordinal));
        Assert.Equal("[FIRING] critical no_data (instrument): price &lt;!here&gt; &amp; more", doc.RootElement.GetProperty("text").GetString());
        Assert.Contains("*What:* price &lt;!here&gt; &amp; more", texts);
        Assert.Contains("*Where*\nprovider=aggregator venue=kraken instrument=&lt;!channel&gt; &amp; &lt;https://evil.example|x&gt;", texts);
        Assert.Equal("a &amp;lt; b", SlackSink.Escape("a &lt; b")); // an entity already in the text is shown, not decoded
        Assert.Same("plain", SlackSink.Escape("plain"));
    }

    private static SlackSink Slack(HttpMessageHandler handler) => new(new HttpClient(handler), new SlackOptions { Enabled = true, WebhookUrl = SlackUrl });

    private static Func<HttpResponseMessage> RateLimited(int seconds) => () =>
    {
        var r = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        r.Headers.Add("Retry-After", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return r;
    };

    private static void Collect(JsonElement e, List<string> texts)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Collect(p.Value, texts);
                break;
            case JsonValueKind.Array:
                foreach (var i in e.EnumerateArray()) Collect(i, texts);
                break;
            case JsonValueKind.String:
                texts.Add(e.GetString()!);
                break;
        }
    }

    /// <summary>Answers with the queued responses, then 200; stamps each request with the virtual time it was made at.</summary>
    private sealed class StampingHandler(TimeProvider time, params Func<HttpResponseMessage>[] responses) : HttpMessageHandler
    {
        private readonly Queue<Func<HttpResponseMessage>> _responses = new(responses);

        public List<DateTimeOffset> Stamps { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Stamps) Stamps.Add(time.GetUtcNow());
            return Task.FromResult(_responses.TryDequeue(out var next) ? next() : new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    /// <summary>A fake clock that tells when a timer is started, so a test advances time only once the worker waits on it.</summary>
    private sealed class SignallingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly SemaphoreSlim _timers = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan) _timers.Release();
            return timer;
        }

        /// <summary>The real-time bound only guards against a hang; passing never depends on it.</summary>
        public async Task WaitForTimerAsync() => Assert.True(await _timers.WaitAsync(TimeSpan.FromSeconds(30)), "the worker never waited on the clock");
    }
}
