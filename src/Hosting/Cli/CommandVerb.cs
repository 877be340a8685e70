using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// <c>cloudwall-rx command TYPE ...</c>: builds, signs and sends one control command, to Redis or to an admin
/// <c>POST /commands</c> URL, and prints the results as JSON lines. Exit code 0 when applied or no-op, 1 when rejected.
/// </summary>
internal static class CommandVerb
{
    public const string Usage = """
          cloudwall-rx command TYPE [payload options] --key-id ID (--key-env VAR | --key-file PATH)
                                   (--redis HOST:PORT[,HOST:PORT] | --url http://HOST:PORT/commands) [--version N] [--target INSTANCE]
              TYPE: subscribe, unsubscribe (--provider P | --venue V) --instruments K1,K2 [--data-classes trade,quote]
                    set-pricing --payload JSON; set-detector --payload JSON; pause-provider, resume-provider --provider P;
                    reload-reference-data --refdata-version N; snapshot-state. --payload JSON overrides the payload options.
              Redis: [--redis-user U] [--redis-password-env VAR] [--tls true] [--prefix cloudwall:control] [--wait 2s]
              The version defaults to the stored version + 1 (Redis) or the current Unix time in ms (URL).
        """;

    public static async Task<int> RunAsync(ParsedArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (args.Positional.Count != 1) throw new UsageException("command: give exactly one TYPE\n" + Usage);
        var type = args.Positional[0];
        var payload = args.Get("payload") ?? BuildPayload(type, args);
        var keyId = args.Require("key-id");
        var keys = LoadKey(keyId, args);
        var target = args.Get("target");
        var version = args.Get("version") is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : (long?)null;
        var url = args.Get("url");
        var redis = url is null ? RedisOptions(args) : null;
        var wait = args.Get("wait") is { } w ? CommandLine.ParseDuration(w, "--wait") : TimeSpan.FromSeconds(2);
        args.RejectUnknown();

        if (url is not null)
        {
            var json = CommandBuilder.Build(type, payload, version ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), keyId, keys, TimeProvider.System, target);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            await stdout.WriteLineAsync(body);
            return response.IsSuccessStatusCode ? 0 : 1;
        }

        var problems = redis!.Errors().ToList();
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
        await using var store = await RedisControlStore.ConnectAsync(redis, $"cloudwall-rx-cli-{Environment.ProcessId}", 1000, NullLogger.Instance);
        var results = new ConcurrentQueue<CommandResult>();
        await store.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(store.Keys.ResultsChannel), (_, value) =>
        {
            if (CommandResult.FromJson(value.ToString()) is { Stage: not "submit" } r) results.Enqueue(r);
        });

        var current = StateDocument.PeekVersion(await store.ReadStateAsync(ct));
        var envelope = CommandBuilder.Build(type, payload, version ?? current + 1, keyId, keys, TimeProvider.System, target);
        var id = JsonNode.Parse(envelope)!["id"]!.GetValue<string>();
        var options = new ControlOptions { InstanceId = $"cli-{Environment.ProcessId}" };
        var processor = new ControlCommandProcessor(keys, store, options, TimeProvider.System, new ControlCounters(), NullLogger.Instance);
        var result = await processor.SubmitAsync(envelope, ct);
        await stdout.WriteLineAsync(result.ToJson());
        if (result.IsRejected) return 1;

        // Print what instances report for this command until --wait passes.
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            while (results.TryDequeue(out var r))
            {
                if (r.CommandId == id || (r.Stage == "apply" && r.Version == result.Version)) await stdout.WriteLineAsync(r.ToJson());
            }

            await Task.Delay(50, ct);
        }

        return 0;
    }

    internal static string BuildPayload(string type, ParsedArgs args)
    {
        var p = new JsonObject();
        switch (type)
        {
            case CommandTypes.Subscribe or CommandTypes.Unsubscribe:
                if (args.Get("provider") is { } provider) p["provider"] = provider;
                if (args.Get("venue") is { } venue) p["venue"] = venue;
                p["instruments"] = List(args.Require("instruments"));
                if (args.Get("data-classes") is { } classes) p["data_classes"] = List(classes);
                else if (type == CommandTypes.Subscribe) p["data_classes"] = List("trade,quote");
                break;
            case CommandTypes.PauseProvider or CommandTypes.ResumeProvider:
                p["provider"] = args.Require("provider");
                break;
            case CommandTypes.ReloadReferenceData:
                p["version"] = long.Parse(args.Require("refdata-version"), CultureInfo.InvariantCulture);
                break;
            case CommandTypes.SnapshotState:
                break;
            case CommandTypes.SetPricing or CommandTypes.SetDetector:
                throw new UsageException($"{type} needs --payload JSON (see docs/control-plane.md)");
            default:
                throw new UsageException($"unknown command type '{type}'; allowed: {string.Join(", ", CommandTypes.All.Order())}");
        }

        return p.ToJsonString();
    }

    private static JsonArray List(string csv) =>
        new(csv.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());

    internal static SigningKeyRing LoadKey(string keyId, ParsedArgs args)
    {
        var env = args.Get("key-env");
        var file = args.Get("key-file");
        if ((env is null) == (file is null)) throw new UsageException("give exactly one of --key-env VAR or --key-file PATH");
        var ring = SigningKeyRing.Load(new Dictionary<string, string> { [keyId] = env ?? "file:" + file }, null, out var errors);
        return errors.Count == 0 ? ring : throw new UsageException(string.Join("; ", errors));
    }

    internal static RedisControlOptions RedisOptions(ParsedArgs args)
    {
        var o = new RedisControlOptions
        {
            Endpoints = args.Get("redis") ?? Environment.GetEnvironmentVariable("Control__Redis__Endpoints") ?? "",
            User = args.Get("redis-user") ?? Environment.GetEnvironmentVariable("Control__Redis__User") ?? "",
            Tls = args.Get("tls") is { } tls && bool.Parse(tls),
        };
        var passwordEnv = args.Get("redis-password-env");
        o.Password = (passwordEnv is null ? Environment.GetEnvironmentVariable("Control__Redis__Password") : Environment.GetEnvironmentVariable(passwordEnv)) ?? "";
        if (args.Get("prefix") is { } prefix) o.KeyPrefix = prefix;
        if (!o.IsConfigured) throw new UsageException("give --redis HOST:PORT (or Control__Redis__Endpoints), or --url");
        return o;
    }
}
