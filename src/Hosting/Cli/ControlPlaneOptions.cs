using System.CommandLine;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudwall.Rx.Hosting.Cli;

/// <summary>
/// The options of the verbs that reach the control plane (<c>command</c>, <c>state</c>): the Redis connection and a
/// signing key. Each verb makes its own set, so no option has two parent commands.
/// </summary>
internal sealed class ControlPlaneOptions(bool keyRequired)
{
    public Option<string?> Redis { get; } = CliOptions.Text("--redis", "the control plane's Redis (default: Control__Redis__Endpoints)", "HOST:PORT[,HOST:PORT]");
    public Option<string?> RedisUser { get; } = CliOptions.Text("--redis-user", "Redis ACL user (default: Control__Redis__User)", "USER");
    public Option<string?> RedisPasswordEnv { get; } = CliOptions.Text("--redis-password-env", "environment variable holding the Redis password (default: Control__Redis__Password)", "VAR");
    public Option<string?> Tls { get; } = CliOptions.Bool("--tls", "connect to Redis over TLS");
    public Option<string?> Prefix { get; } = CliOptions.Text("--prefix", "prefix of the control plane's keys and channels (default cloudwall:control)", "PREFIX");
    public Option<string?> KeyId { get; } = CliOptions.Text("--key-id", "id of the signing key (Control:Keys:<id>)", "ID", keyRequired);
    public Option<string?> KeyEnv { get; } = CliOptions.Text("--key-env", "environment variable holding the key", "VAR");
    public Option<string?> KeyFile { get; } = CliOptions.Text("--key-file", "file holding the key", "PATH");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Redis, RedisUser, RedisPasswordEnv, Tls, Prefix, KeyId, KeyEnv, KeyFile })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The signing key named by <c>--key-id</c>, read from exactly one of <c>--key-env</c> and <c>--key-file</c>.</summary>
    public SigningKeyRing LoadKey(ParseResult args, string keyId)
    {
        var env = args.GetValue(KeyEnv);
        var file = args.GetValue(KeyFile);
        if ((env is null) == (file is null)) throw new UsageException("give exactly one of --key-env VAR or --key-file PATH");
        var ring = SigningKeyRing.Load(new Dictionary<string, string> { [keyId] = env ?? "file:" + file }, null, out var errors);
        return errors.Count == 0 ? ring : throw new UsageException(string.Join("; ", errors));
    }

    /// <summary>
    /// The <c>Control:Grants</c> section from appsettings.json, the environment (<c>Control__Grants__ops1__Commands__0=*</c>) and
    /// <c>--set</c>: the same grants the instances enforce, since a submission through Redis is authorized here. Checked.
    /// </summary>
    public static ControlOptions ReadGrants(string instanceId, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddPlatformSources(settings).Build();
        var options = new ControlOptions { InstanceId = instanceId };
        configuration.GetSection($"{ControlOptions.SectionName}:{nameof(ControlOptions.Grants)}").Bind(options.Grants);
        var problems = options.Errors().ToList();
        return problems.Count == 0 ? options : throw new UsageException(string.Join("; ", problems));
    }

    /// <summary>The Redis settings from the options, else the <c>Control__Redis__*</c> environment variables; checked.</summary>
    public RedisControlOptions ReadRedis(ParseResult args)
    {
        var o = new RedisControlOptions
        {
            Endpoints = args.GetValue(Redis) ?? Environment.GetEnvironmentVariable("Control__Redis__Endpoints") ?? "",
            User = args.GetValue(RedisUser) ?? Environment.GetEnvironmentVariable("Control__Redis__User") ?? "",
            Tls = args.IsTrue(Tls),
        };
        var passwordEnv = args.GetValue(RedisPasswordEnv);
        o.Password = (passwordEnv is null ? Environment.GetEnvironmentVariable("Control__Redis__Password") : Environment.GetEnvironmentVariable(passwordEnv)) ?? "";
        if (args.GetValue(Prefix) is { } prefix) o.KeyPrefix = prefix;
        if (!o.IsConfigured) throw new UsageException("give --redis HOST:PORT (or Control__Redis__Endpoints), or --url");
        var problems = o.Errors().ToList();
        return problems.Count == 0 ? o : throw new UsageException(string.Join("; ", problems));
    }

    /// <summary>Connects to Redis; null, with one line on stderr, when it cannot be reached within its connect timeout.</summary>
    public static async Task<RedisControlStore?> ConnectAsync(RedisControlOptions redis, string clientName, TextWriter stderr)
    {
        var store = await RedisControlStore.ConnectAsync(redis, $"{clientName}-{Environment.ProcessId}", 1000, NullLogger.Instance);
        if (store.Connection.IsConnected) return store;

        await store.DisposeAsync();
        await stderr.WriteLineAsync($"error: Redis at {redis.Endpoints} cannot be reached (within {redis.ConnectTimeoutMs} ms); is it running?");
        return null;
    }
}
