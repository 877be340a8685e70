using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

/// <summary>A broker outage fails every record: one summary line per failure kind per interval, not one per record.</summary>
public sealed class KafkaFailureLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly CapturingLogger _log = new();

    [Fact]
    public void A_thousand_failed_deliveries_log_one_line_then_one_summary_per_interval()
    {
        var failures = new KafkaFailureLog(_log, _time);
        for (var i = 0; i < 1000; i++)
        {
            failures.DeliveryFailed(Topics.Events, "Local_MsgTimedOut", "Message timed out");
        }

        failures.QueueFullDropped(Topics.Events, 3, "DropWrite"); // another kind: its own line
        Assert.Equal(2, _log.Lines.Count);
        Assert.Contains("(0 more since the last line)", _log.Lines[0]);

        _time.Advance(LogRateLimiter.DefaultInterval);
        failures.DeliveryFailed(Topics.Events, "Local_MsgTimedOut", "Message timed out");
        Assert.Equal(3, _log.Lines.Count);
        Assert.Contains("Kafka delivery to md.events.v1 failed: Local_MsgTimedOut Message timed out (999 more since the last line)", _log.Lines[2]);
    }
}
