using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cloudwall.Rx.Control;
using Cloudwall.Rx.Control.Agent;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.State;
using Cloudwall.Rx.Hosting.Platform;
using Cloudwall.Rx.Tests.Integration.Control;
using Cloudwall.Rx.Tests.Integration.Scenarios;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Cloudwall.Rx.Tests.Integration.Fuzzing;

/// <summary>
/// Issue 16, point 10 (commands): a running platform on a real redis-server receives at least 10,000 generated and mutated
/// commands (bit flips, truncations, huge fields, wrong types, replays, stale and future timestamps, unknown key ids, unknown
/// types, signed commands with bad payloads, garbage) through Redis (a CLI-style submitter on its own connection, raw
/// messages on the commands channel, forged state documents) and through <c>POST /commands</c>. None may be applied: the
/// desired-state version, the instance's applied snapshot and its counters stay put. A few valid commands are interleaved on
/// both paths and exactly those are applied, which proves the test can see an application. At the end the platform answers
/// <c>/healthz</c>, applies a valid command, kept its memory, and the audit list and nonce caches are within their caps.
/// The run is seeded (<c>CW_FUZZ_SEED</c> replays one); the seed is printed.
/// </summary>
[Collection(Hosting.EndToEnd.Name)]
public sealed class CommandFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string KeyEnv = "CW_FUZZ_CONTROL_KEY";
    private const string Prefix = "cwfuzz";
    private const int RedisSubmissions = 8_000; // through a CLI-style processor with its own Redis connection
    private const int ChannelMessages = 1_000; // raw signals and snapshot-state envelopes on the commands channel
    private const int ForgedStates = 50; // mutated state documents written to the state key
    private const int HttpSubmissions = 1_500; // POST /commands on the admin port
    private const int ValidEvery = 1_000; // one valid command after this many fuzzed ones
    // The whole process: the platform keeps streaming simulated market data (20 trades/s) while the fuzzing runs, and a run
    // measured about 70 MiB of growth; unbounded retention of 10,000 commands (some of them 1 MiB) would exceed this.
    private const long MemoryGrowthBound = 128L * 1024 * 1024;

    private static readonly SigningKeyRing OtherKeys = new(new Dictionary<string, byte[]>
    {
        ["k9"] = "another-key-0123456789abcdef0123456789"u8.ToArray(),
        ["k1x"] = "yet-another-key-0123456789abcdef0123456789"u8.ToArray(),
    });

    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly List<string> _applied = []; // valid envelopes already applied: material for replays and mutations
    private long _version;
    private Random _rng = new(0);

    [Fact]
    public async Task Ten_thousand_hostile_commands_through_Redis_and_HTTP_apply_nothing_and_the_platform_stays_healthy()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CW_FUZZ_SEED"), out var s) ? s : Environment.TickCount & 0x7fffffff;
        output.WriteLine($"seed {seed} (rerun with CW_FUZZ_SEED={seed})");
        _rng = new Random(seed);
        var clock = Stopwatch.StartNew();

        Environment.SetEnvironmentVariable(KeyEnv, ControlTestKit.KeyText);
        await using var redis = await RedisServer.StartAsync();
        await using var h = await PlatformHarness.StartAsync(["coinbase"],
            ("Control:Redis:Endpoints", redis.Endpoint),
            ("Control:Redis:KeyPrefix", Prefix),
            ("Control:InstanceId", "fuzz-1"),
            ("Control:Keys:k1", KeyEnv),
            ("Control:Grants:k1:Commands:0", "*"),
            // The per-address limiter has its own test (CommandEndpointLimitTests); here it would only pace the 1,500 posts.
            ("Admin:CommandsPermitLimit", "1000"));
        var bus = h.App.Services.GetRequiredService<ControlPlaneService>().Bus ?? throw new InvalidOperationException("no control bus");
        var options = h.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ControlOptions>>().Value;
        var address = h.App.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(20) };
        await using var mux = await redis.ConnectAsync();
        var db = mux.GetDatabase();
        var keys = new ControlKeys(Prefix);
        await using var cliStore = await RedisControlStore.ConnectAsync(ControlTestKit.Redis(redis, Prefix), "fuzz-cli", options.AuditCapacity, NullLogger.Instance);
        var cli = new ControlCommandProcessor(ControlTestKit.Keys, cliStore, ControlTestKit.Options("fuzz-cli"), TimeProvider.System, new ControlCounters(), NullLogger.Instance);
        output.WriteLine($"platform up after {clock.ElapsedMilliseconds} ms");

        // Version 1, so mutations have a stored state and applied commands to work from.
        await ValidAsync(json => cli.SubmitAsync(json), bus);

        long baseline = 0;
        var sent = new Dictionary<string, int> { ["redis"] = 0, ["channel"] = 0, ["state"] = 0, ["http"] = 0 };
        var httpStatuses = new Dictionary<int, int>();
        var validSent = 0;
        var fuzzed = 0;
        var expected = bus.Snapshots.Current;
        var appliedBefore = bus.Counters.Applied;

        async Task CheckNothingApplied(string after)
        {
            var stored = StateDocument.PeekVersion(await db.StringGetAsync(keys.State));
            Assert.True(stored == _version, $"{after}: the stored version moved from {_version} to {stored}");
            Assert.True(bus.Snapshots.AppliedVersion == _version, $"{after}: the instance applied version {bus.Snapshots.AppliedVersion}, expected {_version}");
            Assert.True(bus.Snapshots.Current.SameConfiguration(expected), $"{after}: the applied configuration changed");
            Assert.True(bus.Counters.Applied == appliedBefore, $"{after}: the instance applied something ({bus.Counters.Applied} vs {appliedBefore})");
        }

        async Task AfterEach()
        {
            if (++fuzzed % ValidEvery != 0) return;
            await CheckNothingApplied($"after {fuzzed} fuzzed commands");
            // A valid command, alternately through the CLI-style submitter and POST /commands: exactly it is applied.
            await ValidAsync(validSent++ % 2 == 0 ? json => cli.SubmitAsync(json) : json => PostValidAsync(http, json), bus);
            expected = bus.Snapshots.Current;
            appliedBefore = bus.Counters.Applied;
            if (fuzzed == ValidEvery)
            {
                baseline = GC.GetTotalMemory(forceFullCollection: true); // after warm-up (JIT, pools, connections)
            }
        }

        // 1. Through Redis: a CLI-style submitter (the same processor `cloudwall-rx command --redis` runs).
        for (var i = 0; i < RedisSubmissions; i++)
        {
            var (kind, text) = NextFuzz(huge: true);
            var r = await cli.SubmitAsync(Encoding.UTF8.GetString(text));
            Assert.True(r.Status == CommandResult.Rejected, $"redis #{i} ({kind}) was {r.Status}: {Show(text)}");
            Count("redis:" + r.ReasonCode);
            sent["redis"]++;
            await AfterEach();
        }

        // 2. Through Redis, as someone with access to the channel: raw signals and mutated snapshot-state envelopes.
        var pub = mux.GetSubscriber();
        var channel = RedisChannel.Literal(keys.CommandsChannel);
        for (var i = 0; i < ChannelMessages; i++)
        {
            var message = (i % 4) switch
            {
                0 => new ControlSignal { Kind = ControlSignal.SnapshotKind, Envelope = Encoding.UTF8.GetString(NextFuzz(huge: false).Text) }.ToJson(),
                1 => new ControlSignal { Kind = ControlSignal.StateKind, Version = _rng.NextInt64(long.MinValue, long.MaxValue) }.ToJson(),
                2 => Encoding.UTF8.GetString(Mutate(Encoding.UTF8.GetBytes(new ControlSignal { Kind = ControlSignal.SnapshotKind, Envelope = Snapshot() }.ToJson()))),
                _ => Encoding.UTF8.GetString(Garbage()),
            };
            await pub.PublishAsync(channel, message);
            sent["channel"]++;
            await AfterEach();
        }

        // 3. Through Redis, as someone who can write the state key but holds no key: mutated state documents.
        var genuine = (string)(await db.StringGetAsync(keys.State))!;
        for (var i = 0; i < ForgedStates; i++)
        {
            var forged = ForgeState(genuine);
            var reads = bus.Counters.StateReads;
            await db.StringSetAsync(keys.State, forged);
            await pub.PublishAsync(channel, new ControlSignal { Version = _version + 1 }.ToJson());
            await ControlTestKit.Eventually(() => bus.Counters.StateReads > reads, "the instance re-read the state");
            Assert.Equal(_version, bus.Snapshots.AppliedVersion);
            sent["state"]++;
            await db.StringSetAsync(keys.State, genuine);
        }

        Assert.True(await db.StringSetAsync(keys.State, genuine));
        await CheckNothingApplied("after the forged states");

        // 4. POST /commands. A 413, 415 or 429 is a refusal too; a 429 is respected (its Retry-After, at most 1 s).
        for (var i = 0; i < HttpSubmissions; i++)
        {
            var (kind, text) = NextFuzz(huge: true);
            var (status, result) = await PostAsync(http, text, contentType: _rng.Next(20) == 0 ? "text/plain" : "application/json");
            httpStatuses[status] = httpStatuses.GetValueOrDefault(status) + 1;
            Assert.True(status is >= 400 and < 500, $"http #{i} ({kind}) answered {status}: {Show(text)}");
            Assert.True(result is null || result.Status == CommandResult.Rejected, $"http #{i} ({kind}) was {result?.Status}");
            Count("http:" + (result?.ReasonCode ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            sent["http"]++;
            await AfterEach();
        }

        await CheckNothingApplied("after the HTTP fuzzing");

        // Still healthy and still obeying: /healthz, and a valid command through each path.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        await ValidAsync(json => PostValidAsync(http, json), bus);
        await ValidAsync(json => cli.SubmitAsync(json), bus);
        validSent += 2;
        Assert.Equal(0, bus.Counters.ApplyFailures);

        // Bounded: memory, the audit list, the nonce caches (in memory per submitter, and the TTL'd keys in Redis).
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var audit = await db.ListLengthAsync(keys.Audit);
        var redisNonces = 0;
        await foreach (var _ in mux.GetServer(redis.Endpoint).KeysAsync(pattern: Prefix + ":nonce:*")) redisNonces++;
        var platformNonces = ((ControlBus)bus).Processor.Authenticator.Nonces;
        var cliNonces = cli.Authenticator.Nonces;

        var total = sent.Values.Sum();
        output.WriteLine($"sent {total} fuzzed: redis submitter {sent["redis"]}, commands channel {sent["channel"]}, forged states {sent["state"]}, POST /commands {sent["http"]}; valid {validSent + 1} (all applied, version {_version})");
        output.WriteLine("http statuses: " + string.Join(", ", httpStatuses.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine("outcomes: " + string.Join(", ", _outcomes.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine("instance rejections by reason: " + string.Join(", ", bus.Counters.RejectedByReason.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
        output.WriteLine($"memory {baseline / 1024} KiB -> {after / 1024} KiB (growth {(after - baseline) / 1024} KiB, bound {MemoryGrowthBound / 1024} KiB); audit {audit}/{options.AuditCapacity}; " +
                         $"nonces: platform {platformNonces.Count}/{platformNonces.Capacity}, cli {cliNonces.Count}/{cliNonces.Capacity}, redis keys {redisNonces}; {clock.ElapsedMilliseconds} ms");

        Assert.True(total >= 10_000, $"only {total} commands sent");
        Assert.True(sent["http"] >= 1_000);
        Assert.True(after - baseline < MemoryGrowthBound, $"memory grew by {(after - baseline) / 1024} KiB");
        Assert.True(audit <= options.AuditCapacity, $"audit list {audit} > {options.AuditCapacity}");
        Assert.True(platformNonces.Count <= platformNonces.Capacity && cliNonces.Count <= cliNonces.Capacity);
        Assert.True(redisNonces <= options.NonceCapacity, $"{redisNonces} nonce keys in Redis");
    }

    // ---- valid commands -------------------------------------------------------------------------------------------

    /// <summary>A valid set-pricing at the next version; asserts it is applied on submission and by the instance.</summary>
    private async Task ValidAsync(Func<string, Task<CommandResult>> submit, IControlBus bus)
    {
        var ratio = "0." + (500 + _version).ToString(System.Globalization.CultureInfo.InvariantCulture); // a new value every time, so never a no-op
        var json = CommandBuilder.Build(CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":""" + "\"" + ratio + "\"}}}",
            _version + 1, "k1", ControlTestKit.Keys, TimeProvider.System);
        var r = await submit(json);
        Assert.True(r.Status == CommandResult.Applied, $"valid command at version {_version + 1}: {r.Status} {r.Reason}");
        _version++;
        await ControlTestKit.Eventually(() => bus.Snapshots.AppliedVersion == _version, $"version {_version} applied by the instance");
        Assert.Equal(decimal.Parse(ratio, System.Globalization.CultureInfo.InvariantCulture), bus.Snapshots.Current.PricingByClass.Get("spot", "outlier_ratio"));
        _applied.Add(json);
    }

    private static async Task<CommandResult> PostValidAsync(HttpClient http, string json)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (status, result) = await PostAsync(http, Encoding.UTF8.GetBytes(json), "application/json");
            if (status == 429 && attempt < 20)
            {
                await Task.Delay(500); // rate limited (issue 16, point 3): the same envelope is still fresh for 30 s
                continue;
            }

            return result ?? new CommandResult { Status = "http-" + status, Instance = "?", Stage = "submit" };
        }
    }

    private static async Task<(int Status, CommandResult? Result)> PostAsync(HttpClient http, byte[] body, string contentType)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = contentType == "application/json" ? "utf-8" : null };
            // An oversized upload goes on a connection of its own: the server answers 413 without reading the rest, so the
            // connection cannot carry another request afterwards.
            var oversized = body.Length > Cloudwall.Rx.Control.Commands.CommandEnvelope.MaxBytes;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/commands") { Content = content };
            request.Headers.ConnectionClose = oversized;
            HttpResponseMessage sent;
            try
            {
                sent = await http.SendAsync(request);
            }
            catch (HttpRequestException) when (oversized)
            {
                // The server answers 413 and stops reading an oversized upload; the client may see the connection end before
                // it reads the 413 (docs/control-plane.md, Limits). Either way nothing reached the bus.
                return (413, null);
            }

            using var response = sent;
            var status = (int)response.StatusCode;
            if (status == 429 && attempt < 3)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(200);
                await Task.Delay(wait > TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait);
                continue;
            }

            var text = await response.Content.ReadAsStringAsync();
            CommandResult? result = null;
            try
            {
                result = text.StartsWith('{') ? CommandResult.FromJson(text) : null;
            }
            catch (JsonException)
            {
            }

            return (status, result);
        }
    }

    // ---- the generator ---------------------------------------------------------------------------------------------

    private void Count(string outcome) => _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;

    /// <summary>One hostile command. Mutations that leave the envelope equivalent (e.g. a hex digit's case) are redrawn.</summary>
    private (string Kind, byte[] Text) NextFuzz(bool huge)
    {
        while (true)
        {
            var (kind, text) = Generate(huge);
            if (kind is not ("bit-flip" or "truncation" or "mutation") || !Equivalent(text)) return (kind, text);
            Count("redrawn-equivalent");
        }
    }

    private (string Kind, byte[] Text) Generate(bool huge)
    {
        var next = _version + 1;
        switch (_rng.Next(huge ? 14 : 13))
        {
            case 0:
                return ("bit-flip", FlipBits(Utf8(Fresh(next))));
            case 1:
                return ("bit-flip-applied", FlipBits(Utf8(Pick(_applied))));
            case 2:
                var t = Utf8(Fresh(next));
                return ("truncation", t[.._rng.Next(t.Length)]);
            case 3:
                return ("wrong-type", Utf8(WrongType(next)));
            case 4:
                return ("replay", Utf8(Pick(_applied)));
            case 5:
                var skew = TimeSpan.FromSeconds(_rng.Next(35, 400_000_000)) * (_rng.Next(2) == 0 ? -1 : 1);
                return (skew < TimeSpan.Zero ? "stale" : "future", Utf8(Fresh(next, issuedAt: ClampedNow(skew))));
            case 6:
                return ("unknown-key", Utf8(UnknownKey(next)));
            case 7:
                return ("unknown-type", Utf8(CommandBuilder.Build(RandomToken("x-", 1, 40), "{}", next, "k1", ControlTestKit.Keys, TimeProvider.System)));
            case 8:
                var (type, payload) = BadPayloads[_rng.Next(BadPayloads.Length)];
                return ("signed-bad-payload", Utf8(CommandBuilder.Build(type, payload, next, "k1", ControlTestKit.Keys, TimeProvider.System)));
            case 9:
                return ("stale-version", Utf8(Fresh(_rng.Next(8) == 0 ? _rng.NextInt64(long.MinValue, 0) : _rng.NextInt64(0, next))));
            case 10:
                return ("unsigned-or-extra-field", Utf8(Tamper(next)));
            case 11:
                return ("garbage", Garbage());
            case 12:
                return ("mutation", Mutate(Utf8(Fresh(next))));
            default:
                return ("huge", Utf8(Huge(next)));
        }
    }

    private static readonly (string Type, string Payload)[] BadPayloads =
    [
        (CommandTypes.Subscribe, """{"provider":"coinbase","instruments":[],"data_classes":["trade"]}"""),
        (CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["nope"],"data_classes":["trade"]}"""),
        (CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["bogus"]}"""),
        (CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["BTC-USD.SPOT"]}"""),
        (CommandTypes.Subscribe, """{"provider":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"],"extra":1}"""),
        (CommandTypes.Subscribe, """{"instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}"""),
        (CommandTypes.Subscribe, """{"provider":"coinbase","instruments":"BTC-USD.SPOT","data_classes":["trade"]}"""),
        (CommandTypes.Subscribe, """{"provider":["coinbase"],"instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}"""),
        (CommandTypes.Unsubscribe, """{"provider":"coinbase","instruments":[null]}"""),
        (CommandTypes.SetPricing, """{"classes":{"bogus":{"weight":"1"}}}"""),
        (CommandTypes.SetPricing, """{"classes":{"spot":{"nope":"1"}}}"""),
        (CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":"abc"}}}"""),
        (CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":5}}}"""),
        (CommandTypes.SetPricing, """{"classes":"spot"}"""),
        (CommandTypes.SetPricing, """{"instruments":{"nope":{"weight":"1"}}}"""),
        (CommandTypes.SetPricing, """{"other":{}}"""),
        (CommandTypes.SetDetector, """{"detectors":{"Bad-Name":{"threshold":"1"}}}"""),
        (CommandTypes.SetDetector, """{"detectors":{"stale":{"threshold":1}}}"""),
        (CommandTypes.PauseProvider, "{}"),
        (CommandTypes.PauseProvider, """{"provider":5}"""),
        (CommandTypes.ResumeProvider, """{"provider":"coinbase","x":true}"""),
        (CommandTypes.ReloadReferenceData, """{"version":0}"""),
        (CommandTypes.ReloadReferenceData, """{"version":-1}"""),
        (CommandTypes.ReloadReferenceData, """{"version":"2"}"""),
        (CommandTypes.SnapshotState, """{"x":1}"""),
        (CommandTypes.Subscribe, "[]"),
        (CommandTypes.SetPricing, "null"),
    ];

    private string Fresh(long version, DateTimeOffset? issuedAt = null) =>
        CommandBuilder.Build(CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":"0.042"}}}""", version, "k1", ControlTestKit.Keys, TimeProvider.System, issuedAt: issuedAt);

    private static DateTimeOffset ClampedNow(TimeSpan skew)
    {
        var now = DateTimeOffset.UtcNow;
        return skew < TimeSpan.Zero && now - DateTimeOffset.MinValue < -skew ? DateTimeOffset.MinValue : now + skew;
    }

    private string Snapshot() =>
        CommandBuilder.Build(CommandTypes.SnapshotState, "{}", _version, "k1", ControlTestKit.Keys, TimeProvider.System, target: "fuzz-1");

    private string WrongType(long version)
    {
        var env = JsonNode.Parse(Fresh(version))!.AsObject();
        string[] fields = ["id", "type", "issued_at", "nonce", "version", "payload", "key_id"];
        var field = fields[_rng.Next(fields.Length)];
        JsonNode?[] wrong = field == "version"
            ? [JsonValue.Create("2"), JsonValue.Create(1.5), new JsonArray(), new JsonObject(), JsonValue.Create(true), null]
            : field == "payload"
                ? [JsonValue.Create("x"), JsonValue.Create(1), new JsonArray(), JsonValue.Create(true), null]
                : [JsonValue.Create(1), JsonValue.Create(2.5), new JsonArray(JsonValue.Create("a")), new JsonObject(), JsonValue.Create(false), null];
        env[field] = wrong[_rng.Next(wrong.Length)];
        return field == "key_id" ? env.ToJsonString() : SignOrKeep(env); // signing would put key_id back

    }

    /// <summary>Re-signs (a signed envelope of the wrong shape) half the time; signing may refuse it (a float), then it keeps the old signature.</summary>
    private string SignOrKeep(JsonObject env)
    {
        if (_rng.Next(2) == 0)
        {
            try
            {
                return CommandBuilder.Sign(env, "k1", ControlTestKit.Keys);
            }
            catch (Exception ex) when (ex is CanonicalJsonException or FormatException or InvalidOperationException or JsonException or ArgumentException)
            {
            }
        }

        return env.ToJsonString();
    }

    private string UnknownKey(long version)
    {
        if (_rng.Next(2) == 0)
        {
            return CommandBuilder.Build(CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":"0.042"}}}""", version, _rng.Next(2) == 0 ? "k9" : "k1x", OtherKeys, TimeProvider.System);
        }

        var env = JsonNode.Parse(Fresh(version))!.AsObject();
        env["key_id"] = RandomToken("", 1, 200);
        return env.ToJsonString();
    }

    private string Tamper(long version)
    {
        var env = JsonNode.Parse(Fresh(version))!.AsObject();
        switch (_rng.Next(5))
        {
            case 0: env.Remove("signature"); break;
            case 1: env["signature"] = ""; break;
            case 2: env["signature"] = RandomToken("", 64, 64); break;
            case 3:
                env[RandomToken("extra_", 1, 10)] = "unsigned rider";
                break;
            default:
                env[RandomToken("extra_", 1, 10)] = "signed rider";
                return CommandBuilder.Sign(env, "k1", ControlTestKit.Keys);
        }

        return env.ToJsonString();
    }

    private string Huge(long version)
    {
        var n = _rng.Next(3) switch { 0 => 5_000, 1 => 300_000, _ => 1_200_000 };
        var blob = new string((char)('a' + _rng.Next(26)), n);
        switch (_rng.Next(4))
        {
            case 0:
                var env = JsonNode.Parse(Fresh(version))!.AsObject();
                env[new[] { "id", "nonce", "key_id", "type", "signature", "issued_at" }[_rng.Next(6)]] = blob;
                return env.ToJsonString();
            case 1:
                return CommandBuilder.Build(CommandTypes.SetPricing, """{"classes":{"spot":{"outlier_ratio":""" + "\"" + blob + "\"}}}", version, "k1", ControlTestKit.Keys, TimeProvider.System);
            case 2:
                var instruments = string.Join(",", Enumerable.Range(0, 10_001).Select(i => $"\"X{i}-USD.SPOT\""));
                return CommandBuilder.Build(CommandTypes.Subscribe, $$"""{"provider":"coinbase","instruments":[{{instruments}}],"data_classes":["trade"]}""", version, "k1", ControlTestKit.Keys, TimeProvider.System);
            default:
                var depth = _rng.Next(64, 5_000);
                return new string('[', depth) + new string(']', depth);
        }
    }

    private byte[] Garbage()
    {
        switch (_rng.Next(6))
        {
            case 0: return [];
            case 1:
                var b = new byte[_rng.Next(1, 2_000)];
                _rng.NextBytes(b);
                return b;
            case 2: return "null"u8.ToArray();
            case 3: return """{"id":"a","id":"b"}"""u8.ToArray();
            case 4: return Utf8(new string('{', _rng.Next(1, 3_000)));
            default: return "[1,2,3]"u8.ToArray();
        }
    }

    private byte[] Mutate(byte[] text) => _rng.Next(4) switch
    {
        0 => FlipBits(text),
        1 => text[.._rng.Next(text.Length)],
        2 => [.. text.Take(_rng.Next(text.Length)), .. text], // a duplicated prefix
        _ => [.. text.Where((_, i) => i != _rng.Next(text.Length))], // bytes dropped
    };

    private byte[] FlipBits(byte[] text)
    {
        var copy = (byte[])text.Clone();
        for (var i = _rng.Next(1, 4); i > 0; i--)
        {
            copy[_rng.Next(copy.Length)] ^= (byte)(1 << _rng.Next(8));
        }

        return copy;
    }

    private string ForgeState(string genuine)
    {
        var doc = JsonNode.Parse(genuine)!.AsObject();
        switch (_rng.Next(5))
        {
            case 0: doc["version"] = _version + 1 + _rng.Next(1000); break;
            case 1: doc["config"]!["paused_providers"] = new JsonArray(JsonValue.Create("coinbase")); doc["version"] = _version + 1; break;
            case 2: doc["signature"] = RandomToken("", 64, 64); doc["version"] = _version + 1; break;
            case 3: doc["key_id"] = "k9"; doc["version"] = _version + 1; break;
            default: return Encoding.UTF8.GetString(FlipBits(Utf8(genuine.Replace($"\"version\":{_version}", $"\"version\":{_version + 1}", StringComparison.Ordinal))));
        }

        return doc.ToJsonString();
    }

    /// <summary>
    /// True when a mutated text still carries a valid k1 signature over its own canonical form (e.g. only a hex digit's case
    /// changed): that is the original command, not a hostile one.
    /// </summary>
    private static bool Equivalent(byte[] text)
    {
        try
        {
            if (JsonNode.Parse(text) is not JsonObject obj || obj["signature"] is not JsonValue sig || sig.GetValueKind() != JsonValueKind.String ||
                obj["key_id"] is not JsonValue kid || kid.GetValueKind() != JsonValueKind.String)
            {
                return false;
            }

            return ControlTestKit.Keys.Verify(kid.GetValue<string>(), sig.GetValue<string>(), CanonicalJson.Canonicalize(obj.ToJsonString(), "signature")) == SignatureCheck.Valid;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException or CanonicalJsonException)
        {
            return false;
        }
    }

    private string Pick(List<string> list) => list[_rng.Next(list.Count)];

    private string RandomToken(string prefix, int min, int max)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.:";
        var n = _rng.Next(min, max + 1);
        var sb = new StringBuilder(prefix, prefix.Length + n);
        for (var i = 0; i < n; i++) sb.Append(alphabet[_rng.Next(alphabet.Length)]);
        return sb.ToString();
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string Show(byte[] text) => Encoding.UTF8.GetString(text, 0, Math.Min(400, text.Length));
}
