using System.Collections.Concurrent;
using System.CommandLine;
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
    private static readonly Argument<string> Type = TypeArgument();
    private static readonly Option<string?> Payload = CliOptions.Text("--payload", "the payload as JSON; overrides the payload options", "JSON");
    private static readonly Option<string?> Provider = CliOptions.Text("--provider", "subscribe, unsubscribe, pause-provider, resume-provider: the provider", "P");
    private static readonly Option<string?> Venue = CliOptions.Text("--venue", "subscribe, unsubscribe: the venue (instead of --provider)", "V");
    private static readonly Option<string?> Instruments = CliOptions.Text("--instruments", "subscribe, unsubscribe: canonical instrument keys", "K1,K2");
    private static readonly Option<string?> DataClasses = CliOptions.Text("--data-classes", "subscribe, unsubscribe: data classes (subscribe defaults to trade,quote)", "trade,quote");
    private static readonly Option<long?> RefDataVersion = CliOptions.Number<long>("--refdata-version", "reload-reference-data: the version to load");
    private static readonly Option<long?> Version = CliOptions.Number<long>("--version", "the command's version (default: the stored version + 1 with Redis, the Unix time in ms with --url)");
    private static readonly Option<string?> Target = CliOptions.Text("--target", "only this instance applies the command", "INSTANCE");
    private static readonly Option<string?> Url = CliOptions.Text("--url", "send to an admin endpoint instead of Redis", "http://HOST:PORT/commands");
    private static readonly Option<TimeSpan?> Wait = CliOptions.Duration("--wait", "with Redis: how long to print the instances' results (default 2s)");
    private static readonly Option<KeyValuePair<string, string?>[]> Settings = CliOptions.Settings();
    private static readonly ControlPlaneOptions Control = new(keyRequired: true);

    public static Command Create()
    {
        var command = new Verb("command", "Signs and sends one control command",
            """
            Builds, signs (HMAC-SHA256) and sends one control command to Redis (--redis) or an admin endpoint (--url),
            then prints the results as JSON lines: exit 0 when applied or no-op, 1 when rejected. docs/control-plane.md
            has each type's payload.
            """.ReplaceLineEndings(" "),
            """
            cloudwall-rx command subscribe --venue coinbase --instruments BTC-USD.SPOT,ETH-USD.SPOT --data-classes trade,quote \
                --key-id ops1 --key-env CW_CONTROL_KEY_OPS1 --redis redis:6379
            cloudwall-rx command pause-provider --provider kraken --key-id ops1 --key-file /run/secrets/ops1 --redis redis:6379 --tls true
            cloudwall-rx command set-pricing --payload '{"classes":{"spot":{"outlier_ratio":"0.05"}}}' \
                --key-id ops1 --key-file /run/secrets/ops1 --url http://localhost:8080/commands --version 42
            """)
        {
            Type, Payload, Provider, Venue, Instruments, DataClasses, RefDataVersion, Version, Target, Url, Wait, Settings,
        };
        Control.AddTo(command);
        command.SetAction((r, ct) => RunAsync(r, r.InvocationConfiguration.Output, r.InvocationConfiguration.Error, ct));
        return command;
    }

    private static Argument<string> TypeArgument()
    {
        var type = new Argument<string>("TYPE") { Description = "the command type" };
        type.AcceptOnlyFromAmong([.. CommandTypes.All.Order(StringComparer.Ordinal)]);
        return type;
    }

    private static async Task<int> RunAsync(ParseResult args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var type = args.GetValue(Type)!;
        var payload = args.GetValue(Payload) ?? BuildPayload(type, args);
        var keyId = args.GetValue(Control.KeyId)!;
        var keys = Control.LoadKey(args, keyId);
        var target = args.GetValue(Target);
        var version = args.GetValue(Version);
        var url = args.GetValue(Url);
        var redis = url is null ? Control.ReadRedis(args) : null;
        // With Redis this process is the submitter, so it authorizes the command with the instances' grants.
        var options = url is null ? ControlPlaneOptions.ReadGrants($"cli-{Environment.ProcessId}", args.GetValue(Settings) ?? []) : null;
        var wait = args.GetValue(Wait) ?? TimeSpan.FromSeconds(2);

        if (url is not null)
        {
            var json = CommandBuilder.Build(type, payload, version ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), keyId, keys, TimeProvider.System, target);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            await stdout.WriteLineAsync(body);
            return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Failure;
        }

        await using var store = await ControlPlaneOptions.ConnectAsync(redis!, "cloudwall-rx-cli", stderr);
        if (store is null) return ExitCodes.Failure;
        var results = new ConcurrentQueue<CommandResult>();
        await store.Connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(store.Keys.ResultsChannel), (_, value) =>
        {
            if (CommandResult.FromJson(value.ToString()) is { Stage: not "submit" } r) results.Enqueue(r);
        });

        var current = StateDocument.PeekVersion(await store.ReadStateAsync(ct));
        var envelope = CommandBuilder.Build(type, payload, version ?? current + 1, keyId, keys, TimeProvider.System, target);
        var id = JsonNode.Parse(envelope)!["id"]!.GetValue<string>();
        var processor = new ControlCommandProcessor(keys, store, options!, TimeProvider.System, new ControlCounters(), NullLogger.Instance,
            next => Platform.ControlTarget.Rules(Cloudwall.Rx.Pricing.PricingParameters.Default, next));
        var result = await processor.SubmitAsync(envelope, ct);
        await stdout.WriteLineAsync(result.ToJson());
        if (result.IsRejected) return ExitCodes.Failure;

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

        return ExitCodes.Ok;
    }

    internal static string BuildPayload(string type, ParseResult args)
    {
        var p = new JsonObject();
        switch (type)
        {
            case CommandTypes.Subscribe or CommandTypes.Unsubscribe:
                if (args.GetValue(Provider) is { } provider) p["provider"] = provider;
                if (args.GetValue(Venue) is { } venue) p["venue"] = venue;
                p["instruments"] = List(Require(args, Instruments, type));
                if (args.GetValue(DataClasses) is { } classes) p["data_classes"] = List(classes);
                else if (type == CommandTypes.Subscribe) p["data_classes"] = List("trade,quote");
                break;
            case CommandTypes.PauseProvider or CommandTypes.ResumeProvider:
                p["provider"] = Require(args, Provider, type);
                break;
            case CommandTypes.ReloadReferenceData:
                p["version"] = args.GetValue(RefDataVersion) ?? throw new UsageException($"{type} needs {RefDataVersion.Name}");
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

    private static string Require(ParseResult args, Option<string?> option, string type) =>
        args.GetValue(option) ?? throw new UsageException($"{type} needs {option.Name} {option.HelpName}");
}
