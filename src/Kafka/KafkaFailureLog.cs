using Cloudwall.Rx.Core;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Kafka;

/// <summary>
/// The per-record failure lines of the producer, at most one per failure kind per interval. A broker outage fails every
/// record in flight, and one warning each would drown the log: the topic counters count every record (failed, dropped), and
/// the line that is written carries how many were not logged since the previous one. Called from producer threads and the
/// poll thread alike.
/// </summary>
internal sealed class KafkaFailureLog(ILogger logger, TimeProvider time)
{
    private enum Kind { QueueFull, ProduceFailed, DeliveryFailed, RecordDropped, Count }

    private readonly LogRateLimiter _limit = new((int)Kind.Count, time);

    public void QueueFullDropped(string topic, int retries, string policy)
    {
        if (_limit.TryAcquire((int)Kind.QueueFull, out var suppressed))
        {
            KafkaLog.QueueFullDropped(logger, topic, retries, policy, suppressed);
        }
    }

    public void ProduceFailed(string topic, string code, string reason)
    {
        if (_limit.TryAcquire((int)Kind.ProduceFailed, out var suppressed))
        {
            KafkaLog.ProduceFailed(logger, topic, code, reason, suppressed);
        }
    }

    public void DeliveryFailed(string topic, string code, string reason)
    {
        if (_limit.TryAcquire((int)Kind.DeliveryFailed, out var suppressed))
        {
            KafkaLog.DeliveryFailed(logger, topic, code, reason, suppressed);
        }
    }

    public void RecordDropped(string topic, string why)
    {
        if (_limit.TryAcquire((int)Kind.RecordDropped, out var suppressed))
        {
            KafkaLog.RecordDropped(logger, topic, why, suppressed);
        }
    }
}
