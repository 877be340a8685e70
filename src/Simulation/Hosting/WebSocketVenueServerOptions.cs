using System.Threading.Channels;
using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>Socket-level settings shared by every venue simulator.</summary>
public sealed class WebSocketVenueServerOptions : ICheckedOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free port (read it back from <see cref="WebSocketVenueServer.Endpoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>Request path that accepts WebSocket upgrades.</summary>
    public string Path { get; set; } = "/";

    /// <summary>Outgoing frames queued per connection before the full mode applies.</summary>
    public int SendQueueCapacity { get; set; } = 16_384;

    /// <summary>What a full per-connection queue does. The producer never waits, so <see cref="BoundedChannelFullMode.Wait"/> is rejected.</summary>
    public BoundedChannelFullMode SendQueueFullMode { get; set; } = BoundedChannelFullMode.DropOldest;

    /// <summary>Largest client message accepted; longer ones close the connection with MessageTooBig.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 64 * 1024;

    /// <summary>How long <see cref="WebSocketVenueServer.DisposeAsync"/> lets Kestrel drain.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Errors keyed as the server's own section (<c>Server:Port</c>); a simulator's options key them under its section.</summary>
    public IEnumerable<string> Errors() => Errors("Server");

    internal IEnumerable<string> Errors(string prefix)
    {
        if (Port is < 0 or > 65535) yield return $"{prefix}:{nameof(Port)} must be 0 (any free port) to 65535 (was {Port})";
        if (string.IsNullOrEmpty(Path) || Path[0] != '/') yield return $"{prefix}:{nameof(Path)} must start with '/'";
        if (SendQueueCapacity < 1) yield return $"{prefix}:{nameof(SendQueueCapacity)} must be at least 1 (was {SendQueueCapacity})";
        if (SendQueueFullMode == BoundedChannelFullMode.Wait)
            yield return $"{prefix}:{nameof(SendQueueFullMode)} must be DropOldest, DropNewest or DropWrite: the market never waits for a slow client";
        if (MaxReceiveMessageBytes < 256) yield return $"{prefix}:{nameof(MaxReceiveMessageBytes)} must be at least 256 (was {MaxReceiveMessageBytes})";
    }
}
