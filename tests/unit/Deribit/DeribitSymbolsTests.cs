using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Deribit;

namespace Cloudwall.Rx.Tests.Unit.Deribit;

public sealed class DeribitSymbolsTests
{
    [Theory]
    [InlineData("BTC-PERPETUAL", "BTC-USD.PERP")]
    [InlineData("ETH-PERPETUAL", "ETH-USD.PERP")]
    [InlineData("BTC_USDC-PERPETUAL", "BTC-USDC.PERP")]
    [InlineData("BTC-24SEP21", "BTC-USD-20210924.FUT")]
    [InlineData("BTC-4OCT24", "BTC-USD-20241004.FUT")]
    [InlineData("BTC-24SEP21-40000-C", "BTC-USD-20210924-40000-C.OPT")]
    [InlineData("ETH-27AUG21-4000-P", "ETH-USD-20210827-4000-P.OPT")]
    [InlineData("XRP_USDC-30JUN23-0d625-C", "XRP-USDC-20230630-0.625-C.OPT")]
    [InlineData("BTC_USDC", "BTC-USDC.SPOT")]
    public void NamesMapToCanonicalKeys(string name, string key)
    {
        Assert.Equal(key, DeribitSymbols.Derive(name)?.Key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BTC")]
    [InlineData("BTC-")]
    [InlineData("btc-PERPETUAL")]
    [InlineData("BTC-FS-24SEP21_PERP")]
    [InlineData("BTC-31FEB21")]
    [InlineData("BTC-24XYZ21")]
    [InlineData("BTC-24SEP21-40000-X")]
    [InlineData("BTC-24SEP21--C")]
    [InlineData("BTC-24SEP21-4.5-C")]
    [InlineData("BTC-24SEP21-0-C")]
    [InlineData("BTC-PERPETUAL-X")]
    public void OtherNamesAreUnknown(string name)
    {
        Assert.Null(DeribitSymbols.Derive(name));
    }

    [Theory]
    [InlineData("BTC-PERPETUAL")]
    [InlineData("BTC_USDC-PERPETUAL")]
    [InlineData("BTC-24SEP21")]
    [InlineData("BTC-4OCT24")]
    [InlineData("BTC-24SEP21-40000-C")]
    [InlineData("XRP_USDC-30JUN23-0d625-P")]
    public void VenueNameRoundTrips(string name)
    {
        Assert.Equal(name, DeribitSymbols.VenueName(DeribitSymbols.Derive(name)!));
    }

    [Fact]
    public void ResolvingBytesIsAllocationFreeOnceSeen()
    {
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        var name = "BTC-24SEP21-40000-C"u8.ToArray();
        Assert.True(refData.TryResolve(VenueId.Deribit, name, out var first));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            refData.TryResolve(VenueId.Deribit, name, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("BTC-USD-20210924-40000-C.OPT", refData.KeyOf(first));
    }
}
