using System.Globalization;
using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Hosting.Configuration;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>
/// The live console view: events/s per provider, fair price per instrument, Kafka delivered/failed. Redrawn in place on a
/// terminal; printed as a block per refresh when output is redirected.
/// </summary>
public sealed class ConsoleView(IPlatformStatus platform, IKafkaStatus kafka, IProviderStatus providers, IPipelineStatus pipeline, ReferenceData refData,
    IOptions<ConsoleViewOptions> options, TextWriter output, TimeProvider time) : BackgroundService
{
    private readonly Dictionary<string, long> _previous = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(o.Refresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await output.WriteAsync(Render(o.Refresh.TotalSeconds, o.MaxInstruments, !Console.IsOutputRedirected && output == Console.Out));
                await output.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public string Render(double seconds, int maxInstruments, bool redraw)
    {
        var sb = new StringBuilder();
        if (redraw)
        {
            sb.Append("\u001b[H\u001b[2J");
        }

        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"cloudwall-rx  up {platform.Uptime:hh\\:mm\\:ss}  kafka {kafka.Bootstrap}\n");
        sb.Append("provider        events/s      events   rejected  reconnects  subs\n");
        foreach (var p in providers.Providers)
        {
            var name = p.Name;
            var events = p.Counters.Events;
            var rate = (events - _previous.GetValueOrDefault(name)) / Math.Max(seconds, 0.001);
            _previous[name] = events;
            sb.Append(ci, $"{name,-14} {rate,9:F0} {events,11} {p.Counters.RejectedFrames,10} {p.Counters.Reconnects,11} {p.ActiveSubscriptions,5}\n");
        }

        if (pipeline.Stats is { } stats)
        {
            sb.Append("instrument                 fair price     ± confidence  status    sources (used/known)\n");
            foreach (var (id, fp) in pipeline.LatestFairPrices.OrderBy(kv => refData.KeyOf(kv.Key), StringComparer.Ordinal).Take(maxInstruments))
            {
                sb.Append(ci, $"{refData.KeyOf(id),-24} {EventJson.Dec(fp.Price),14}  {EventJson.Dec(fp.Confidence),12}  {fp.Status.ToText(),-9} {fp.SourcesUsed}/{fp.SourcesKnown}\n");
            }

            sb.Append(ci, $"pipeline: received {stats.Received}  dropped {stats.Dropped}  fair prices {stats.FairPricesPublished}\n");
        }

        if (kafka.Snapshot() is { } k)
        {
            sb.Append(ci, $"kafka: delivered {k.Delivered}  failed {k.DeliveryFailed}  dropped {k.Dropped}  in flight {k.Produced - k.Delivered - k.DeliveryFailed}\n");
        }

        sb.Append(ci, $"dead letters: {platform.DeadLetters}\n");
        return sb.ToString();
    }
}
