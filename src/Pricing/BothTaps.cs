using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>
/// Two partition taps as one, called in order (the platform's statistics, then its bars). Each sees what it asked for:
/// a live-only tap keeps <see cref="IPartitionTap.OnBackfill"/>'s default and ignores back-fill.
/// </summary>
public sealed class BothTaps(IPartitionTap first, IPartitionTap second) : IPartitionTap
{
    public void OnEvent(int partition, in MarketEvent e, long nowNs)
    {
        first.OnEvent(partition, e, nowNs);
        second.OnEvent(partition, e, nowNs);
    }

    public void OnBackfill(int partition, in MarketEvent e, long nowNs)
    {
        first.OnBackfill(partition, e, nowNs);
        second.OnBackfill(partition, e, nowNs);
    }

    public void OnTick(int partition, long nowNs)
    {
        first.OnTick(partition, nowNs);
        second.OnTick(partition, nowNs);
    }
}
