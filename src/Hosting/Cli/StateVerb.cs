using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx state --redis HOST:PORT</c>: prints the desired state (version, subscriptions, parameters) and the
/// version each live instance has applied. With <c>--key-id</c> and a key it also verifies the state's signature.
/// </summary>
internal static class StateVerb
{
    public const string Usage = """
          cloudwall-rx state --redis HOST:PORT [--redis-user U] [--redis-password-env VAR] [--tls true] [--prefix cloudwall:control]
                             [--key-id ID (--key-env VAR | --key-file PATH)]
              Prints the desired and applied versions and the subscriptions.
        """;

    public static async Task<int> RunAsync(ParsedArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var redis = CommandVerb.RedisOptions(args);
        var keyId = args.Get("key-id");
        SigningKeyRing? keys = keyId is null ? null : CommandVerb.LoadKey(keyId, args);
        args.RejectUnknown();
        var problems = redis.Errors().ToList();
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));

        await using var store = await RedisControlStore.ConnectAsync(redis, $"cloudwall-rx-state-{Environment.ProcessId}", 1000, NullLogger.Instance);
        var json = await store.ReadStateAsync(ct);
        var applied = await store.ReadAppliedAsync(ct);
        if (json is null)
        {
            await stdout.WriteLineAsync($"desired: none (no state at {store.Keys.State})");
        }
        else if (!StateDocument.TryRead(json, keys, out var s, out var error))
        {
            await stderr.WriteLineAsync($"error: the stored state does not read: {error}");
            return 1;
        }
        else
        {
            await stdout.WriteLineAsync($"desired: version {s!.Version} at {CommandEnvelope.FormatTime(s.UpdatedAt)} by command {s.CommandId}" +
                                        (keys is null ? " (signature not checked)" : " (signature valid)"));
            await stdout.WriteLineAsync($"reference data: version {s.ReferenceDataVersion}");
            await stdout.WriteLineAsync($"paused providers: {(s.PausedProviders.IsEmpty ? "none" : string.Join(", ", s.PausedProviders))}");
            await stdout.WriteLineAsync($"subscriptions: {s.SubscriptionCount}");
            foreach (var (source, instruments) in s.Subscriptions)
            {
                foreach (var (key, classes) in instruments)
                {
                    await stdout.WriteLineAsync($"  {source} {key} {string.Join(",", classes.ToNames())}");
                }
            }

            await WriteScopes(stdout, "pricing (class)", s.PricingByClass);
            await WriteScopes(stdout, "pricing (instrument)", s.PricingByInstrument);
            await WriteScopes(stdout, "detectors", s.Detectors);
        }

        await stdout.WriteLineAsync($"applied: {(applied.Count == 0 ? "no live instance reported" : "")}");
        foreach (var (instance, version) in applied)
        {
            await stdout.WriteLineAsync($"  {instance} {version}");
        }

        return 0;
    }

    private static async Task WriteScopes(TextWriter stdout, string title, ScopedParameters p)
    {
        if (p.Scopes.IsEmpty) return;
        await stdout.WriteLineAsync($"{title}:");
        foreach (var (scope, values) in p.Scopes)
        {
            await stdout.WriteLineAsync($"  {scope} {string.Join(" ", values.Select(v => $"{v.Key}={v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"))}");
        }
    }
}
