using Cloudwall.Rx.Simulation.Hosting;

namespace Cloudwall.Rx.Simulation.Coinbase;

/// <summary>One connection's subscription set. Read and written only under <see cref="CoinbaseProtocol"/>'s gate.</summary>
internal sealed class CoinbaseSession(VenueConnection connection) : IVenueSession
{
    private readonly Dictionary<string, CoinbaseChannels> _mask = new(StringComparer.Ordinal);
    private readonly List<string>[] _ordered = [[], [], [], []];

    public VenueConnection Connection { get; } = connection;

    public bool Has(CoinbaseChannels channel, string productId) =>
        _mask.TryGetValue(productId, out var m) && (m & channel) != 0;

    /// <summary>Products of one channel in the order they were subscribed.</summary>
    public IReadOnlyList<string> Products(CoinbaseChannels channel) => _ordered[Index(channel)];

    /// <summary>Adds; true when the pair was not subscribed before.</summary>
    public bool Add(CoinbaseChannels channel, string productId)
    {
        var m = _mask.GetValueOrDefault(productId);
        if ((m & channel) != 0)
        {
            return false;
        }

        _mask[productId] = m | channel;
        _ordered[Index(channel)].Add(productId);
        return true;
    }

    public void Remove(CoinbaseChannels channel, string productId)
    {
        if (!_mask.TryGetValue(productId, out var m) || (m & channel) == 0)
        {
            return;
        }

        m &= ~channel;
        if (m == CoinbaseChannels.None)
        {
            _mask.Remove(productId);
        }
        else
        {
            _mask[productId] = m;
        }

        _ordered[Index(channel)].Remove(productId);
    }

    public void RemoveAll(CoinbaseChannels channel)
    {
        foreach (var p in _ordered[Index(channel)].ToArray())
        {
            Remove(channel, p);
        }
    }

    public List<string> Describe()
    {
        var list = new List<string>();
        foreach (var c in CoinbaseChannelNames.All)
        {
            foreach (var p in _ordered[Index(c)])
            {
                list.Add(CoinbaseChannelNames.Name(c) + ":" + p);
            }
        }

        return list;
    }

    private static int Index(CoinbaseChannels channel) => channel switch
    {
        CoinbaseChannels.Matches => 0,
        CoinbaseChannels.Ticker => 1,
        CoinbaseChannels.Heartbeat => 2,
        CoinbaseChannels.TickerBatch => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };
}
