using System.CommandLine;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx state --redis HOST:PORT</c>: prints the desired state (version, subscriptions, parameters) and the
/// version each live instance has applied. With <c>--key-id</c> and a key it also verifies the state's signature.
/// </summary>
internal static class StateVerb
{
    private static readonly ControlPlaneOptions Control = new(keyRequired: false);

    public static Command Create()
    {
        var command = new Verb("state", "Prints the control plane's desired and applied state",
            """
            Prints the control plane's desired state (version, reference data, paused providers, subscriptions, pricing
            and detector parameters) and the version each live instance has applied. With a key, it also verifies the
            state's signature.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx state --redis redis:6379
            cloudwall-rx state --redis redis:6379 --key-id ops1 --key-env CW_CONTROL_KEY_OPS1
            cloudwall-rx state --redis redis:6380 --redis-user cloudwall --redis-password-env CW_REDIS_PW --tls true
            """);
        Control.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var redis = Control.ReadRedis(args);
        SigningKeyRing? keys = args.GetValue(Control.KeyId) is { } keyId ? Control.LoadKey(args, keyId) : null;

        await using var store = await ControlPlaneOptions.ConnectAsync(redis, "cloudwall-rx-state", stderr);
        if (store is null) return ExitCodes.Failure;
        var json = await store.ReadStateAsync(ct);
        var applied = await store.ReadAppliedAsync(ct);
        var failed = await store.ReadFailedAsync(ct);
        if (json is null)
        {
            await stdout.WriteLineAsync($"desired: none (no state at {store.Keys.State})");
        }
        else if (!StateDocument.TryRead(json, keys, out var s, out var error))
        {
            await stderr.WriteLineAsync($"error: the stored state does not read: {error}");
            return ExitCodes.Failure;
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
            await stdout.WriteLineAsync($"  {instance} {version}" + (failed.TryGetValue(instance, out var failure) ? $" (refused {failure})" : ""));
        }

        return ExitCodes.Ok;
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
