using System.Threading.Channels;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Pricing;

/// <summary>Settings of the partitioned event pipeline (configuration section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions : ICheckedOptions
{
    public const string Section = "Pipeline";

    /// <summary>Partitions (single-threaded owners of their instruments' state). Default: processor count.</summary>
    public int Partitions { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Bounded capacity of each partition's queue, in events.</summary>
    public int PartitionCapacity { get; set; } = 65_536;

    /// <summary>
    /// What a full partition does with one more event, in the BCL's words: <see cref="BoundedChannelFullMode.Wait"/> (the
    /// producer waits for room: backpressure reaches the socket, nothing is dropped; the default) or
    /// <see cref="BoundedChannelFullMode.DropWrite"/> (the incoming event is dropped and counted, the producer never waits).
    /// A Dataflow block cannot evict what it has queued, so DropNewest and DropOldest are refused.
    /// </summary>
    public BoundedChannelFullMode Overflow { get; set; } = BoundedChannelFullMode.Wait;

    /// <summary>Minimum time between two fair prices of one instrument (conflation).</summary>
    public TimeSpan FairPriceMinInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Publish each normalized event to Kafka (md.events.v1).</summary>
    public bool PublishEvents { get; set; } = true;

    /// <summary>A copy that does or does not publish events (derived settings; the bound options stay as bound).</summary>
    public PipelineOptions WithPublishEvents(bool publish)
    {
        var copy = (PipelineOptions)MemberwiseClone();
        copy.PublishEvents = publish;
        return copy;
    }

    public IEnumerable<string> Errors()
    {
        if (Partitions is < 1 or > 256) yield return $"{Section}:{nameof(Partitions)} must be 1..256 (was {Partitions})";
        if (PartitionCapacity is < 16 or > 10_000_000) yield return $"{Section}:{nameof(PartitionCapacity)} must be 16..10000000 (was {PartitionCapacity})";
        if (Overflow is not (BoundedChannelFullMode.Wait or BoundedChannelFullMode.DropWrite))
            yield return $"{Section}:{nameof(Overflow)} must be Wait or DropWrite (was {Overflow})";
        if (FairPriceMinInterval < TimeSpan.Zero || FairPriceMinInterval > TimeSpan.FromMinutes(1))
            yield return $"{Section}:{nameof(FairPriceMinInterval)} must be 0..00:01:00 (was {FairPriceMinInterval})";
    }
}
