using System.Collections.Concurrent;
using System.Text;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using StackExchange.Redis;

namespace Cloudwall.Rx.Tests.Integration.Control;

/// <summary>Records every call the control plane makes, in order.</summary>
internal sealed class RecordingTarget : IControlTarget
{
    public ConcurrentQueue<SubscriptionDiff> Diffs { get; } = new();
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The subscriptions as the providers would have them after every add and remove.</summary>
    public ConcurrentDictionary<(string Source, string Instrument), DataClasses> Live { get; } = new();

    public Task ApplySubscriptionsAsync(SubscriptionDiff diff, CancellationToken ct)
    {
        Diffs.Enqueue(diff);
        Calls.Enqueue($"subscriptions +{diff.Added.Length} -{diff.Removed.Length} ~{diff.Changed.Length}");
        foreach (var c in diff.Added.Concat(diff.Changed)) Live[(c.Source, c.Instrument)] = c.After;
        foreach (var c in diff.Removed) Live.TryRemove((c.Source, c.Instrument), out _);
        return Task.CompletedTask;
    }

    public Task PauseProviderAsync(string provider, CancellationToken ct)
    {
        Calls.Enqueue("pause " + provider);
        return Task.CompletedTask;
    }

    public Task ResumeProviderAsync(string provider, CancellationToken ct)
    {
        Calls.Enqueue("resume " + provider);
        return Task.CompletedTask;
    }

    public void SetPricing(ControlSnapshot snapshot) => Calls.Enqueue("pricing " + snapshot.Version);
    public void SetDetectors(ControlSnapshot snapshot) => Calls.Enqueue("detectors " + snapshot.Version);

    public Task ReloadReferenceDataAsync(long version, CancellationToken ct)
    {
        Calls.Enqueue("reload " + version);
        return Task.CompletedTask;
    }

    public string SnapshotState() => $"{{\"live\":{Live.Count}}}";
}

internal static class ControlTestKit
{
    public const string KeyText = "integration-key-0123456789abcdef0123456789";
    public static readonly SigningKeyRing Keys = new(new Dictionary<string, byte[]> { ["k1"] = Encoding.UTF8.GetBytes(KeyText) });

    /// <summary>One instance's options; key k1 may sign every command type.</summary>
    public static ControlOptions Options(string instance) => new()
    {
        InstanceId = instance, ClockSkew = TimeSpan.FromSeconds(30), ResyncInterval = TimeSpan.FromMinutes(5),
        Grants = new(StringComparer.Ordinal) { ["k1"] = new() { Commands = [CommandGrants.Any] } },
    };

    /// <summary>The CLI's <c>--set</c> that grants k1 every command type, as the instances do.</summary>
    public static readonly string[] GrantK1 = ["--set", "Control:Grants:k1:Commands:0=*"];

    public static RedisControlOptions Redis(RedisServer server, string prefix) => new() { Endpoints = server.Endpoint, KeyPrefix = prefix, ConnectTimeoutMs = 2000 };

    public static string Subscribe(long version, string provider, string[] instruments, string classes = "\"trade\"", bool on = true) =>
        CommandBuilder.Build(on ? CommandTypes.Subscribe : CommandTypes.Unsubscribe,
            $$"""{"provider":"{{provider}}","instruments":[{{string.Join(",", instruments.Select(i => $"\"{i}\""))}}],"data_classes":[{{classes}}]}""",
            version, "k1", Keys, TimeProvider.System);

    public static async Task Eventually(Func<bool> condition, string what, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for: " + what);
            await Task.Delay(25);
        }
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for: " + what);
            await Task.Delay(25);
        }
    }

    /// <summary>Collects every result published on the results channel.</summary>
    public static async Task<ConcurrentQueue<CommandResult>> ListenAsync(ConnectionMultiplexer mux, ControlKeys keys)
    {
        var results = new ConcurrentQueue<CommandResult>();
        await mux.GetSubscriber().SubscribeAsync(RedisChannel.Literal(keys.ResultsChannel), (_, v) =>
        {
            if (CommandResult.FromJson(v.ToString()) is { } r) results.Enqueue(r);
        });
        return results;
    }
}
