using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Tests.Integration.Hosting;

/// <summary>
/// Shutdown order: providers close, the pipeline drains, Kafka flushes, and only then the alert queues drain, bounded and
/// cancelled by the stop token. A webhook endpoint that accepts and never answers must not hold up the flush.
/// </summary>
[Collection(EndToEnd.Name)]
public sealed class ShutdownOrderTests
{
    private static readonly string[] OtherProviders =
        ["kraken", "binance", "binance-usdm", "binance-coinm", "okx", "bybit-spot", "bybit-linear", "deribit", "aggregator"];

    [Fact]
    public async Task Kafka_flushes_before_the_alert_drain_which_a_dead_webhook_cannot_hold_past_the_stop_token()
    {
        using var dead = new DeadEndpoint();
        var log = new LogRecorder();
        using var stop = new CancellationTokenSource();
        // Stands in for the host's shutdown timeout running out while the drain waits on the dead endpoint.
        log.Seen += e => { if (e.Is("AlertDispatcher", 4202)) stop.Cancel(); };

        var settings = new List<KeyValuePair<string, string?>>
        {
            new("Admin:Port", "0"),
            new("ConsoleView:Enabled", "false"),
            new("Quality:Alerts:Webhook:Enabled", "true"),
            new("Quality:Alerts:Webhook:Url", $"http://127.0.0.1:{dead.Port}/alerts"),
            new("Quality:Alerts:Webhook:Secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            new("Quality:Alerts:Delivery:AttemptTimeout", "00:05:00"), // only the drain's bound or the token can end the attempt
        };
        settings.AddRange(OtherProviders.Select(p => new KeyValuePair<string, string?>($"Providers:{p}:Enabled", "false")));
        var app = RunCommand.Build(settings, TextWriter.Null, configure: b => b.Logging.AddProvider(log));
        var sidecar = app.Services.GetRequiredService<QualitySidecar>();
        await using (app)
        {
            await app.StartAsync();
            var key = new AlertKey(DetectorNames.NoData, AlertScope.ForVenue(ProviderId.Coinbase, VenueId.Coinbase));
            sidecar.Alerts!.Fire(key, new AlertReading(AlertSeverity.Critical, "no data", 30, 1, "s", 0), UnixTime.FromTimeProvider(TimeProvider.System));
            await dead.Accepted.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the webhook POST is in flight and will never be answered

            await app.StopAsync(stop.Token);
        }

        var order = log.Events.ToList();
        var flushed = order.FindIndex(e => e.Is("KafkaConnection", 3005));
        var draining = order.FindIndex(e => e.Is("AlertDispatcher", 4202));
        var gaveUp = order.FindIndex(e => e.Is("AlertDispatcher", 4201));
        Assert.True(flushed >= 0, "Kafka was never flushed");
        Assert.True(draining > flushed, $"the alert drain (#{draining}) started before the Kafka flush (#{flushed})");
        Assert.True(gaveUp > draining, "the alert drain did not give up");
        Assert.Contains("stop token", order[gaveUp].Message, StringComparison.Ordinal);
        var webhook = Assert.Single(sidecar.DeliveryStats, s => s.Sink == "webhook");
        Assert.Equal((0L, 1L), (webhook.Delivered, webhook.Abandoned));
    }

    /// <summary>A loopback HTTP endpoint that accepts connections and never answers.</summary>
    private sealed class DeadEndpoint : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<Socket> _held = [];

        public DeadEndpoint()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    _held.Add(await _listener.AcceptSocketAsync());
                    Accepted.TrySetResult();
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Disposed.
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            foreach (var s in _held) s.Dispose();
        }
    }

    private sealed record LogEvent(string Category, int EventId, string Message)
    {
        public bool Is(string type, int id) => EventId == id && Category.EndsWith("." + type, StringComparison.Ordinal);
    }

    /// <summary>Every log event in the order it was written, Information and up.</summary>
    private sealed class LogRecorder : ILoggerProvider
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public event Action<LogEvent>? Seen;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogRecorder owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                var e = new LogEvent(category, eventId.Id, formatter(state, exception));
                owner.Events.Enqueue(e);
                owner.Seen?.Invoke(e);
            }
        }
    }
}
