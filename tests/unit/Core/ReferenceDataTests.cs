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
}
