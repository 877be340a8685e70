using System.Collections.Immutable;
using System.Text.Json;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Control.Sharding;
using Cloudwall.Rx.Control.State;

namespace Cloudwall.Rx.Tests.Unit.Control;

public sealed class PayloadValidationTests
{
    private static string? Error(string type, string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        return PayloadValidator.TryValidate(type, doc.RootElement, out _, out var error) ? null : error;
    }

    [Theory]
    [InlineData("subscribe", """{"provider":"coinbase","instruments":["BTC-USD.SPOT","ETH-USD.SPOT","btc-usd"],"data_classes":["trade"]}""", "payload.instruments[2]: not a canonical instrument key")]
    [InlineData("subscribe", """{"provider":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade","book"]}""", "payload.data_classes[1]: not a data class")]
    [InlineData("subscribe", """{"provider":"coinbase","instruments":["BTC-USD.SPOT"]}""", "payload.data_classes: required")]
    [InlineData("subscribe", """{"provider":"nasdaq","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", "payload.provider: unknown provider 'nasdaq'")]
    [InlineData("subscribe", """{"instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", "payload.provider: provider or venue is required")]
    [InlineData("subscribe", """{"provider":"kraken","venue":"coinbase","instruments":["BTC-USD.SPOT"],"data_classes":["trade"]}""", "payload.venue: only an aggregator")]
    [InlineData("subscribe", """{"provider":"coinbase","instruments":[],"data_classes":["trade"]}""", "payload.instruments: required")]
    [InlineData("subscribe", """{"provider":"coinbase","instrument":["BTC-USD.SPOT"],"data_classes":["trade"]}""", "payload.instrument: unknown field")]
    [InlineData("subscribe", """{"provider":"coinbase","instruments":"BTC-USD.SPOT","data_classes":["trade"]}""", "payload.instruments: wrong JSON type")]
    [InlineData("set-pricing", """{"classes":{"spot":{"outlier_ratio":"0.05","max_age_ms":"abc"}}}""", "payload.classes.spot.max_age_ms: not a decimal string")]
    [InlineData("set-pricing", """{"classes":{"bond":{"outlier_ratio":"0.05"}}}""", "payload.classes.bond: not an instrument class")]
    [InlineData("set-pricing", """{"instruments":{"BTC-USD.SPOT":{"speed":"1"}}}""", "payload.instruments.BTC-USD.SPOT.speed: not a pricing parameter")]
    [InlineData("set-pricing", """{}""", "payload: classes or instruments is required")]
    [InlineData("set-detector", """{"detectors":{"Price Ratio":{"warn":"0.01"}}}""", "payload.detectors.Price Ratio: detector names")]
    [InlineData("pause-provider", """{}""", "payload.provider: required")]
    [InlineData("reload-reference-data", """{"version":0}""", "payload.version: required, a positive integer")]
    [InlineData("snapshot-state", """{"all":true}""", "payload.all: unknown field")]
    public void Rejections_name_the_field(string type, string payload, string expected)
    {
        var error = Error(type, payload);
        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_payloads_become_typed_commands()
    {
        using var doc = JsonDocument.Parse("""{"venue":"kraken","instruments":["BTC-USD.SPOT","BTC-USD.SPOT","ETH-USD-20261225.FUT"],"data_classes":["trade","quote"]}""");
        Assert.True(PayloadValidator.TryValidate("subscribe", doc.RootElement, out var cmd, out _));
        var s = Assert.IsType<SubscriptionCommand>(cmd);
        Assert.Equal("kraken", s.Source);
        Assert.Equal(["BTC-USD.SPOT", "ETH-USD-20261225.FUT"], s.Instruments.ToArray());
        Assert.Equal(DataClasses.Trade | DataClasses.Quote, s.Classes);

        using var agg = JsonDocument.Parse("""{"provider":"aggregator","venue":"coinbase","instruments":["BTC-USD.SPOT"]}""");
        Assert.True(PayloadValidator.TryValidate("unsubscribe", agg.RootElement, out cmd, out _));
        Assert.Equal("aggregator@coinbase", ((SubscriptionCommand)cmd!).Source);
        Assert.Equal(DataClasses.All, ((SubscriptionCommand)cmd).Classes);

        using var pricing = JsonDocument.Parse("""{"classes":{"spot":{"outlier_ratio":"0.05"}},"instruments":{"BTC-USD.PERP":{}}}""");
        Assert.True(PayloadValidator.TryValidate("set-pricing", pricing.RootElement, out cmd, out _));
        var p = Assert.IsType<PricingCommand>(cmd);
        Assert.Equal(0.05m, p.Classes["spot"]["outlier_ratio"]);
        Assert.Empty(p.Instruments["BTC-USD.PERP"]);
    }
}

public sealed class SnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ControlSnapshot Apply(ControlSnapshot s, ControlCommand c) =>
        StateReducer.Apply(s, c, s.Version + 1, T0, "c" + (s.Version + 1), out var why) ?? throw new InvalidOperationException(why);

    private static SubscriptionCommand Sub(bool on, string source, DataClasses classes, params string[] keys) => new(on, source, [.. keys], classes);

    [Fact]
    public void Diff_names_only_what_changed()
    {
        var a = Apply(ControlSnapshot.Empty, Sub(true, "coinbase", DataClasses.Trade, "BTC-USD.SPOT", "ETH-USD.SPOT"));
        a = Apply(a, Sub(true, "kraken", DataClasses.Trade, "BTC-USD.SPOT"));
        var b = Apply(a, Sub(true, "coinbase", DataClasses.Quote, "ETH-USD.SPOT", "SOL-USD.SPOT"));
        b = Apply(b, Sub(false, "coinbase", DataClasses.All, "BTC-USD.SPOT"));

        var diff = SubscriptionDiff.Compute(a.Subscriptions, b.Subscriptions);
        Assert.Equal([new SubscriptionChange("coinbase", "SOL-USD.SPOT", DataClasses.None, DataClasses.Quote)], diff.Added.ToArray());
        Assert.Equal([new SubscriptionChange("coinbase", "BTC-USD.SPOT", DataClasses.Trade, DataClasses.None)], diff.Removed.ToArray());
        var changed = Assert.Single(diff.Changed);
        Assert.Equal(("ETH-USD.SPOT", DataClasses.Quote, DataClasses.None), (changed.Instrument, changed.AddedClasses, changed.RemovedClasses));
        Assert.DoesNotContain("kraken", diff.BySource().Keys); // the untouched provider sees nothing
        Assert.Same(a.Subscriptions["kraken"], b.Subscriptions["kraken"]);
    }

    [Fact]
    public void Reducer_never_changes_its_input_and_unsubscribing_the_last_class_drops_the_source()
    {
        var a = Apply(ControlSnapshot.Empty, Sub(true, "coinbase", DataClasses.Trade | DataClasses.Quote, "BTC-USD.SPOT"));
        var b = Apply(a, Sub(false, "coinbase", DataClasses.Trade, "BTC-USD.SPOT"));
        var c = Apply(b, Sub(false, "coinbase", DataClasses.Quote, "BTC-USD.SPOT"));
        Assert.Equal(DataClasses.Trade | DataClasses.Quote, a.Subscriptions["coinbase"]["BTC-USD.SPOT"]);
        Assert.Equal(DataClasses.Quote, b.Subscriptions["coinbase"]["BTC-USD.SPOT"]);
        Assert.Empty(c.Subscriptions);
        Assert.Equal((1, 2, 3), (a.Version, b.Version, c.Version));
    }

    [Fact]
    public void Same_configuration_ignores_version_and_detects_parameter_changes()
    {
        var a = Apply(ControlSnapshot.Empty, new DetectorCommand(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("price_ratio", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("warn", 0.01m)]))])));
        var same = a with { Version = 9, CommandId = "x" };
        Assert.True(a.SameConfiguration(same));
        var b = Apply(a, new DetectorCommand(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("price_ratio", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("warn", 0.02m)]))])));
        Assert.False(a.SameConfiguration(b));
        Assert.Equal(0.02m, b.Detectors.Get("price_ratio", "warn"));
        Assert.Null(StateReducer.Apply(b, new ReloadReferenceDataCommand(0), 3, T0, "r", out var why));
        Assert.StartsWith("payload.version", why, StringComparison.Ordinal);
    }

    [Fact]
    public void State_document_round_trips_and_refuses_tampering()
    {
        var s = Apply(ControlSnapshot.Empty, Sub(true, "aggregator@coinbase", DataClasses.Trade | DataClasses.Mark, "BTC-USD.PERP"));
        s = Apply(s, new ProviderPauseCommand(true, "kraken"));
        s = Apply(s, new PricingCommand(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal,
            [KeyValuePair.Create("spot", ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("outlier_ratio", 0.050m)]))]),
            ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, decimal>>(StringComparer.Ordinal)));
        var json = StateDocument.Serialize(s, "set-pricing", SigningTests.Ring, "k1");

        Assert.True(StateDocument.TryParse(json, SigningTests.Ring, out var back, out var error), error);
        Assert.True(s.SameConfiguration(back!));
        Assert.Equal(s.Version, back!.Version);
        Assert.Equal(0.05m, back.PricingParameter("ETH-USD.SPOT", "spot", "outlier_ratio"));

        var forged = json.Replace("\"kraken\"", "\"coinbase\"", StringComparison.Ordinal);
        Assert.False(StateDocument.TryParse(forged, SigningTests.Ring, out _, out error));
        Assert.Contains("BadSignature", error, StringComparison.Ordinal);
    }
}

public sealed class ShardHashTests
{
    [Fact]
    public void Fnv1a_matches_the_published_vectors()
    {
        Assert.Equal(0x811c9dc5u, ShardHash.Fnv1a32([]));
        Assert.Equal(0xe40c292cu, ShardHash.Fnv1a32("a"u8));
        Assert.Equal(0xbf9cf968u, ShardHash.Fnv1a32("foobar"u8));
    }

    [Fact]
    public void Shards_are_stable_and_spread()
    {
        Assert.Equal(ShardHash.Fnv1a32("coinbase|BTC-USD.SPOT"u8) % 12, (uint)ShardHash.Of("coinbase", "BTC-USD.SPOT", 12));
        var counts = new int[8];
        for (var i = 0; i < 8000; i++) counts[ShardHash.Of("binance", $"C{i}-USDT.SPOT", 8)]++;
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }
}
