using System.Net.WebSockets;
using System.Text.Json;
using Cloudwall.Rx.Tests.Integration.Simulation;

namespace Cloudwall.Rx.Tests.Integration.Deribit;

/// <summary>JSON-RPC helpers over the shared loopback test client; every wait is bounded by its deadline.</summary>
internal sealed class DeribitRpcClient : IAsyncDisposable
{
    private readonly CoinbaseTestClient _client;
    private long _nextId;

    private DeribitRpcClient(CoinbaseTestClient client) => _client = client;

    public WebSocketState State => _client.State;

    public static async Task<DeribitRpcClient> ConnectAsync(Uri endpoint) => new(await CoinbaseTestClient.ConnectAsync(endpoint));

    /// <summary>Sends a request and returns its id.</summary>
    public async Task<long> CallAsync(string method, object? parameters = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        await SendAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters ?? new { } }));
        return id;
    }

    public Task SendAsync(string text) => _client.SendAsync(text);

    public Task<JsonElement> ReceiveAsync() => _client.ReceiveAsync();

    public Task<string> ReceiveTextAsync() => _client.ReceiveTextAsync();

    /// <summary>The response to request <paramref name="id"/>, skipping notifications before it.</summary>
    public async Task<JsonElement> ResponseAsync(long id)
    {
        var (response, _) = await _client.ReceiveUntilAsync(m => m.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt64() == id);
        return response;
    }

    public async Task<JsonElement> CallForResponseAsync(string method, object? parameters = null) => await ResponseAsync(await CallAsync(method, parameters));

    /// <summary>The next notification on a channel starting with <paramref name="prefix"/>.</summary>
    public async Task<JsonElement> NotificationAsync(string prefix)
    {
        var (n, _) = await _client.ReceiveUntilAsync(m => m.Channel()?.StartsWith(prefix, StringComparison.Ordinal) == true);
        return n;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}

internal static class DeribitJson
{
    public static string? Channel(this JsonElement e) =>
        e.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("channel", out var c) ? c.GetString() : null;

    public static JsonElement Data(this JsonElement e) => e.GetProperty("params").GetProperty("data");

    public static string[] Strings(this JsonElement array) => array.EnumerateArray().Select(x => x.GetString()!).ToArray();
}
