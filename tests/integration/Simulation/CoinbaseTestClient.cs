using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Cloudwall.Rx.Tests.Integration.Simulation;

/// <summary>A real ClientWebSocket over loopback that reads Coinbase messages in order, each wait bounded by a deadline.</summary>
internal sealed class CoinbaseTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[1 << 20];
    private readonly Func<ValueTask>? _whileWaiting;

    private CoinbaseTestClient(Func<ValueTask>? whileWaiting) => _whileWaiting = whileWaiting;

    public WebSocketState State => _socket.State;

    /// <param name="whileWaiting">Runs between reads while a message is awaited, for example to advance a fake clock.</param>
    public static async Task<CoinbaseTestClient> ConnectAsync(Uri endpoint, Func<ValueTask>? whileWaiting = null)
    {
        var client = new CoinbaseTestClient(whileWaiting);
        using var cts = new CancellationTokenSource(Deadline);
        await client._socket.ConnectAsync(endpoint, cts.Token);
        return client;
    }

    public async Task SendAsync(string text)
    {
        using var cts = new CancellationTokenSource(Deadline);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cts.Token);
    }

    public Task SubscribeAsync(string[] products, params string[] channels) =>
        SendAsync(JsonSerializer.Serialize(new { type = "subscribe", product_ids = products, channels }));

    public Task UnsubscribeAsync(string[] products, params string[] channels) =>
        SendAsync(JsonSerializer.Serialize(new { type = "unsubscribe", product_ids = products, channels }));

    /// <summary>The next frame as text; fails the test when none arrives before the deadline.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        var receive = ReceiveOneAsync(cts.Token);
        if (_whileWaiting is not null)
        {
            while (!receive.IsCompleted)
            {
                await _whileWaiting();
                await Task.WhenAny(receive, Task.Delay(1, CancellationToken.None));
            }
        }

        return await receive;
    }

    /// <summary>The next frame as JSON.</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        var text = await ReceiveTextAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Reads until a message satisfies <paramref name="predicate"/>; returns it and the ones skipped.</summary>
    public async Task<(JsonElement Match, List<JsonElement> Before)> ReceiveUntilAsync(Func<JsonElement, bool> predicate)
    {
        var before = new List<JsonElement>();
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var m = await ReceiveAsync();
            if (predicate(m))
            {
                return (m, before);
            }

            before.Add(m);
        }

        throw new TimeoutException($"No matching message within {Deadline}; saw {before.Count} others.");
    }

    private async Task<string> ReceiveOneAsync(CancellationToken ct)
    {
        var length = 0;
        WebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(new ArraySegment<byte>(_buffer, length, _buffer.Length - length), ct);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "server closed the socket");
        }

        return Encoding.UTF8.GetString(_buffer, 0, length);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server may have gone first.
            }
        }

        _socket.Dispose();
    }
}

internal static class Json
{
    public static string Type(this JsonElement e) => e.GetProperty("type").GetString()!;

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    public static bool IsData(this JsonElement e) => e.Type() is "match" or "last_match" or "ticker" or "heartbeat";

    public static string? Product(this JsonElement e) => e.TryGetProperty("product_id", out var p) ? p.GetString() : null;
}

/// <summary>Finds the recorded venue feeds: <c>RECORDED_FEEDS_DIR</c>, else <c>../shared/data/recorded</c> beside the repository root.</summary>
internal static class RecordedFeeds
{
    public static readonly string? Directory = Resolve();

    public static string MissingReason =>
        "Recorded feeds not found: set RECORDED_FEEDS_DIR or provide ../shared/data/recorded relative to the repository root (the folder holding Cloudwall.Rx.sln).";

    private static string? Resolve()
    {
        var env = Environment.GetEnvironmentVariable("RECORDED_FEEDS_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return System.IO.Directory.Exists(env) ? env : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cloudwall.Rx.sln")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "recorded"));
                return System.IO.Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that reports as skipped, with the reason, when the recorded feeds are not present.</summary>
internal sealed class RecordedFeedFactAttribute : FactAttribute
{
    public RecordedFeedFactAttribute()
    {
        if (RecordedFeeds.Directory is null)
        {
            Skip = RecordedFeeds.MissingReason;
        }
    }
}
