using System.Collections.Concurrent;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Tests.Unit.Pricing;

/// <summary>An in-memory publisher that records everything, for pipeline tests.</summary>
internal sealed class RecordingPublisher : IMarketDataPublisher
{
    public ConcurrentQueue<MarketEvent> Events { get; } = new();
    public ConcurrentQueue<FairPrice> FairPrices { get; } = new();
    public ConcurrentQueue<DeadLetter> DeadLetters { get; } = new();

    /// <summary>When set, PublishEvent blocks on it: simulates a slow sink to fill the partition queues.</summary>
    public ManualResetEventSlim? Gate { get; set; }

    public void PublishEvent(in MarketEvent e)
    {
        Gate?.Wait();
        Events.Enqueue(e);
    }

    public void PublishFairPrice(in FairPrice price) => FairPrices.Enqueue(price);

    public void PublishDeadLetter(DeadLetter letter) => DeadLetters.Enqueue(letter);
}
