using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Pricing;

/// <summary>Receives a fair price that is due, with the caller's state (no capture per record).</summary>
public delegate void FairPriceOutput<in TState>(TState state, in FairPrice price);

/// <summary>
/// Fair pricing for input that arrives in partitions a consumer owns for a while (the price role's share of md.events.v1):
/// one <see cref="IFairPriceEngine"/> per owned partition, built on assignment and dropped on revocation. Called from one
/// thread (the consumer's loop). Every price emitted is offered to <see cref="Latest"/>.
/// </summary>
public sealed class PartitionedPricing(FairPricing pricing)
{
    private readonly Dictionary<int, IFairPriceEngine> _engines = [];
    private readonly FairPrice[] _tickOutput = new FairPrice[1024];

    public LatestFairPrices Latest { get; } = new();

    public void Assign(int partition) => _engines[partition] = pricing.CreateEngine();

    public void Revoke(int partition) => _engines.Remove(partition);

    /// <summary>Prices one event of an owned partition; false when the partition is not owned.</summary>
    public bool IsOwned(int partition) => _engines.ContainsKey(partition);

    public void OnEvent<TState>(int partition, in MarketEvent e, long nowNs, TState state, FairPriceOutput<TState> output)
    {
        if (_engines.TryGetValue(partition, out var engine) && engine.OnEvent(e, nowNs, out var fp))
        {
            Emit(fp, state, output);
        }
    }

    /// <summary>Emits what is due on every owned partition (conflated prices, heartbeats).</summary>
    public void OnTick<TState>(long nowNs, TState state, FairPriceOutput<TState> output)
    {
        foreach (var engine in _engines.Values)
        {
            var n = engine.OnTick(nowNs, _tickOutput);
            for (var i = 0; i < n; i++)
            {
                Emit(_tickOutput[i], state, output);
            }
        }
    }

    private void Emit<TState>(in FairPrice fp, TState state, FairPriceOutput<TState> output)
    {
        output(state, fp);
        Latest.Offer(fp);
    }
}
