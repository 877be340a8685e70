using System.Collections.Immutable;
using Cloudwall.Rx.Control.Bus;
using Cloudwall.Rx.Control.Reference;
using Cloudwall.Rx.Control.Sharding;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Kafka;
using Cloudwall.Rx.Kafka.Embedded;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static Cloudwall.Rx.Tests.Integration.Control.ControlTestKit;

namespace Cloudwall.Rx.Tests.Integration.Control;

public sealed class ShardGroupTests(ITestOutputHelper output)
{
    private const int Shards = 6;

    [Fact]
    public async Task Two_instances_split_the_shards_and_the_survivor_takes_all_of_them()
    {
        using var kafka = new EmbeddedKafkaCluster();
        kafka.CreateTopic(Topics.Shards, Shards);
        kafka.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(100));
        await using var redis = await RedisServer.StartAsync();
        var options = new ShardOptions { Enabled = true, ShardCount = Shards, GroupId = "shards-test", SessionTimeoutMs = 6000, HeartbeatIntervalMs = 500 };

        var t1 = new RecordingTarget();
        var t2 = new RecordingTarget();
        await using var b1 = await RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cw"), t1, Keys, Options("i1"));
        await using var b2 = await RedisControlBus.CreateAsync(ControlTestKit.Redis(redis, "cw"), t2, Keys, Options("i2"));
        var s1 = new ShardAssignment(options, new KafkaClientConfigs(new KafkaOptions { BootstrapServers = kafka.BootstrapServers, ClientId = "i1" }), b1.Agent, NullLogger.Instance);
        var s2 = new ShardAssignment(options, new KafkaClientConfigs(new KafkaOptions { BootstrapServers = kafka.BootstrapServers, ClientId = "i2" }), b2.Agent, NullLogger.Instance);
        try
        {
            await s1.StartAsync();
            await s2.StartAsync();
            await b1.StartAsync();
            await b2.StartAsync();

            var instruments = Enumerable.Range(0, 40).Select(i => $"C{i}-USD.SPOT").ToArray();
            await b1.SubmitAsync(Subscribe(1, "coinbase", instruments));
            await Eventually(() => s1.Owned.Count > 0 && s2.Owned.Count > 0 && s1.Owned.Count + s2.Owned.Count == Shards, "both instances own shards", 30_000);
            await Eventually(() => b1.Snapshots.AppliedVersion == 1 && b2.Snapshots.AppliedVersion == 1, "both applied version 1");
            Assert.Empty(s1.Owned.Intersect(s2.Owned));

            ImmutableSortedSet<string> Expected(ShardAssignment s) =>
                instruments.Where(i => s.Owns("coinbase", i)).ToImmutableSortedSet(StringComparer.Ordinal);
            ImmutableSortedSet<string> Live(RecordingTarget t) => t.Live.Keys.Select(k => k.Instrument).ToImmutableSortedSet(StringComparer.Ordinal);
            await Eventually(() => Live(t1).SetEquals(Expected(s1)) && Live(t2).SetEquals(Expected(s2)), "each serves its shards");
            Assert.Equal(instruments.Length, Live(t1).Count + Live(t2).Count);

            var split = $"{s1.Owned.Count}/{s2.Owned.Count}";
            var leftAt = DateTime.UtcNow;
            await s2.DisposeAsync(); // leaves the group: its shards move
            var closed = DateTime.UtcNow - leftAt;
            await Eventually(() => s1.Owned.Count == Shards, "the survivor owns every shard", options.SessionTimeoutMs + 4000);
            await Eventually(() => Live(t1).Count == instruments.Length, "the survivor serves every subscription");
            var takeover = DateTime.UtcNow - leftAt;
            output.WriteLine($"split {split} before; survivor served all {instruments.Length} after {takeover.TotalMilliseconds:0} ms (leaving took {closed.TotalMilliseconds:0} ms)");
            Assert.True(takeover < TimeSpan.FromMilliseconds(options.SessionTimeoutMs + 4000));
            Assert.Empty(t2.Live); // the leaver dropped what it served
        }
        finally
        {
            await s1.DisposeAsync();
            await s2.DisposeAsync();
        }
    }
}

public sealed class ReferenceDataTests
{
    private static InstrumentMetadata Btc => new()
    {
        Key = "BTC-USD.SPOT", Class = "spot", TickSize = "0.01",
        Symbols = new() { ["coinbase"] = "BTC-USD", ["kraken"] = "XBT/USD" },
    };

    private static InstrumentMetadata EthPerp => new()
    {
        Key = "ETH-USD.PERP", Class = "perp", TickSize = "0.05", ContractSize = "10", ContractUnit = "USD",
        Symbols = new() { ["deribit"] = "ETH-PERPETUAL" },
    };

    [Fact]
    public async Task Loads_the_hash_at_start_and_reloads_only_a_published_newer_version()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var mux = await redis.ConnectAsync();
        var db = mux.GetDatabase();
        await RedisReferenceData.PublishAsync(db, [Btc], version: 1);

        var refData = new ReferenceData();
        var loader = new RedisReferenceData(db, refData, NullLogger.Instance);
        Assert.Equal(1, await loader.LoadAsync());
        Assert.True(refData.TryResolve(VenueId.Kraken, "XBT/USD", out var id));
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(id));
        Assert.Equal(0.01m, loader.Catalog.Instruments["BTC-USD.SPOT"].Tick);
        Assert.False(refData.TryResolve(VenueId.Deribit, "ETH-PERPETUAL", out _));

        await RedisReferenceData.PublishAsync(db, [Btc, EthPerp], version: 2);
        Assert.False(refData.TryResolve(VenueId.Deribit, "ETH-PERPETUAL", out _)); // never read on the hot path: not seen until reloaded
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => loader.ReloadAsync(3));
        Assert.Contains("version 3 is not published yet", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ReloadOutcome.Loaded, await loader.ReloadAsync(2));
        Assert.Equal(ReloadOutcome.AlreadyLoaded, await loader.ReloadAsync(2));
        Assert.Equal(ReloadOutcome.AlreadyLoaded, await loader.ReloadAsync(1));
        Assert.True(refData.TryResolve(VenueId.Deribit, "ETH-PERPETUAL", out id));
        Assert.Equal("ETH-USD.PERP", refData.KeyOf(id));
        Assert.Equal(10m, loader.Catalog.Instruments["ETH-USD.PERP"].Contract);
        Assert.Equal(2, loader.LoadedVersion);

        // A bad entry refuses the whole version and names it; what was loaded stays.
        await RedisReferenceData.PublishAsync(db, [Btc, EthPerp with { Class = "spot" }], version: 3);
        var bad = await Assert.ThrowsAsync<FormatException>(() => loader.ReloadAsync(3));
        Assert.StartsWith("cloudwall:refdata:instruments[ETH-USD.PERP].class", bad.Message, StringComparison.Ordinal);
        Assert.Equal(2, loader.LoadedVersion);
    }
}
