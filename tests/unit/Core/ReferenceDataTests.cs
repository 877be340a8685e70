using System.Text;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Tests.Unit.Core;

public sealed class ReferenceDataTests
{
    [Fact]
    public void Venue_symbols_map_to_canonical_instruments_through_rules_and_explicit_mappings()
    {
        var refData = new ReferenceData();
        refData.SetRule(VenueId.Coinbase, s => s.Split('-') is [var b, var q] ? InstrumentSpec.Spot(b, q) : null);
        refData.Map(VenueId.Deribit, "BTC-PERPETUAL", InstrumentSpec.Perp("BTC", "USD"));
        refData.Map(VenueId.Binance, "BTCUSDT", InstrumentSpec.Spot("BTC", "USDT"));

        Assert.True(refData.TryResolve(VenueId.Coinbase, "BTC-USD"u8, out var cb));
        Assert.Equal("BTC-USD.SPOT", refData.KeyOf(cb));
        Assert.True(refData.TryResolve(VenueId.Deribit, "BTC-PERPETUAL"u8, out var perp));
        Assert.Equal("BTC-USD.PERP", refData.KeyOf(perp));
        Assert.True(refData.TryResolve(VenueId.Binance, "BTCUSDT"u8, out var usdt));
        Assert.Equal("BTC-USDT.SPOT", refData.KeyOf(usdt));
        Assert.Equal("BTC-USD", refData.VenueSymbol(cb, VenueId.Coinbase));
        Assert.False(refData.TryResolve(VenueId.Kraken, "XBT/USD"u8, out _)); // no rule, no mapping
    }

    [Fact]
    public void A_refused_symbol_is_remembered_so_the_rule_runs_once_until_it_is_mapped()
    {
        var refData = new ReferenceData();
        var calls = 0;
        refData.SetRule(VenueId.Coinbase, s =>
        {
            calls++;
            return null;
        });

        for (var i = 0; i < 10; i++)
        {
            Assert.False(refData.TryResolve(VenueId.Coinbase, "NOPE"u8, out _));
        }

        Assert.Equal(1, calls);
        refData.Map(VenueId.Coinbase, "NOPE", InstrumentSpec.Spot("NO", "PE"));
        Assert.True(refData.TryResolve(VenueId.Coinbase, "NOPE"u8, out var id));
        Assert.Equal("NO-PE.SPOT", refData.KeyOf(id));
    }

    [Theory]
    [InlineData("BTC-USD.SPOT")]
    [InlineData("BTC-USDT.PERP")]
    [InlineData("BTC-USD-20261225.FUT")]
    [InlineData("BTC-USD-20261225-50000-C.OPT")]
    [InlineData("ETH-USD-20261225-2500.5-P.OPT")]
    public void Canonical_keys_parse_back_to_the_same_key(string key)
    {
        Assert.True(InstrumentSpec.TryParseKey(key, out var spec));
        Assert.Equal(key, spec!.Key);
    }

    [Theory]
    [InlineData("BTC")]
    [InlineData("BTC-USD.FOO")]
    [InlineData("BTC-USD-2026.FUT")]
    [InlineData(".SPOT")]
    public void Malformed_keys_are_refused(string key) => Assert.False(InstrumentSpec.TryParseKey(key, out _));

    [Fact]
    public void Resolving_a_known_symbol_allocates_nothing()
    {
        var refData = new ReferenceData();
        refData.Map(VenueId.Coinbase, "BTC-USD", InstrumentSpec.Spot("BTC", "USD"));
        var bytes = Encoding.UTF8.GetBytes("BTC-USD");
        for (var i = 0; i < 100; i++) refData.TryResolve(VenueId.Coinbase, bytes, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) refData.TryResolve(VenueId.Coinbase, bytes, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Interning_many_instruments_keeps_ids_dense_stable_and_readable_across_growth()
    {
        var refData = new ReferenceData(maxInstruments: 5000);
        var first = new List<Instrument>();
        for (var i = 0; i < 5000; i++)
        {
            var inst = refData.Intern(InstrumentSpec.Spot($"C{i}", "USD"));
            Assert.Equal(i + 1, inst.Id.Value);
            first.Add(inst);
        }

        Assert.Equal(5000, refData.Count);
        foreach (var inst in first)
        {
            Assert.Same(inst, refData.Get(inst.Id)); // ids stable after every doubling of the store
            Assert.Same(inst, refData.Intern(inst.Spec)); // interning again returns the same instrument
        }

        Assert.Equal(first, refData.Instruments);
        Assert.False(refData.TryGet(new InstrumentId(5001), out _));
    }

    [Fact]
    public void Past_the_cap_a_new_instrument_is_refused_counted_and_reported_once_and_decoders_see_an_unknown_symbol()
    {
        var refData = new ReferenceData(maxInstruments: 3);
        var reported = new List<int>();
        refData.CapacityReached += reported.Add;
        refData.SetRule(VenueId.Coinbase, s => s.Split('-') is [var b, var q] ? InstrumentSpec.Spot(b, q) : null);
        Assert.True(refData.TryResolve(VenueId.Coinbase, "A-USD"u8, out var a));
        Assert.True(refData.TryResolve(VenueId.Coinbase, "B-USD"u8, out _));
        Assert.True(refData.TryResolve(VenueId.Coinbase, "C-USD"u8, out _));

        Assert.False(refData.TryResolve(VenueId.Coinbase, "D-USD"u8, out var d));
        Assert.Equal(InstrumentId.None, d);
        Assert.False(refData.TryResolve(VenueId.Coinbase, "E-USD"u8, out _));
        Assert.False(refData.TryResolveKey("F-USD.SPOT", out _));
        Assert.False(refData.TryIntern(InstrumentSpec.Spot("G", "USD"), out _));
        Assert.Throws<InvalidOperationException>(() => refData.Intern(InstrumentSpec.Spot("H", "USD")));

        Assert.Equal(3, refData.Count);
        Assert.Equal(5, refData.RefusedInstruments);
        Assert.Equal([3], reported);
        // Known instruments still resolve, and a refused symbol is remembered: the flood costs a lookup, not a count each.
        Assert.True(refData.TryResolve(VenueId.Coinbase, "A-USD"u8, out var again));
        Assert.Equal(a, again);
        Assert.False(refData.TryResolve(VenueId.Coinbase, "D-USD"u8, out _));
        Assert.Equal(5, refData.RefusedInstruments);
    }
}
