using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

/// <summary>The worked examples in docs/wire-format.md, byte for byte: if a codec changes, the document must change with it.</summary>
public sealed class WireFormatExamplesTests
{
    private const long Ts = 1_767_225_600_123_000_000; // 2026-01-01T00:00:00.123Z

    [Fact]
    public void MarketEvent_v2_example()
    {
        var e = new MarketEvent
        {
            Kind = EventKind.Trade, Side = Side.Buy, Instrument = new InstrumentId(1), Venue = VenueId.Coinbase, Provider = ProviderId.Coinbase,
            Price = 63000.10m, Size = 0.5m, ExchangeTimeNs = Ts, ReceiveTimeNs = Ts + 2_500_000, Sequence = 42, TradeId = TradeId.Numeric(12345),
        };
        Span<byte> buffer = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e, buffer);

        Assert.Equal("02 11 01 01 19 06 02 ea c2 80 03 01 05 f6 a1 d5 ed ee 66 88 27 54 f2 c0 01", Hex(buffer[..n]));

        // The same trade as history sent on subscribe sets bit 6 of the kind byte.
        n = EventCodec.Encode(e with { Flags = EventFlags.Snapshot }, buffer);
        Assert.Equal("02 51 01 01 19 06 02 ea c2 80 03 01 05 f6 a1 d5 ed ee 66 88 27 54 f2 c0 01", Hex(buffer[..n]));
    }

    [Fact]
    public void MarketEvent_v1_values_still_decode_as_live_events()
    {
        // The v1 worked example, byte for byte as writers before version 2 produced it.
        var v1 = Bytes("01 11 01 01 19 06 02 ea c2 80 03 01 05 f6 a1 d5 ed ee 66 88 27 54 f2 c0 01");
        Assert.True(EventCodec.TryDecode(v1, new InstrumentId(1), out var e));
        Assert.Equal(EventKind.Trade, e.Kind);
        Assert.Equal(63000.10m, e.Price);
        Assert.Equal(TradeId.Numeric(12345), e.TradeId);
        Assert.Equal(EventFlags.None, e.Flags);
        Assert.False(e.IsSnapshot);

        // Version 2 with flag bit 7 set is a back-fill trade (docs/wire-format.md), not a snapshot.
        var backfill = Bytes("02 91 01 01 19 06 02 ea c2 80 03 01 05 f6 a1 d5 ed ee 66 88 27 54 f2 c0 01");
        Assert.True(EventCodec.TryDecode(backfill, new InstrumentId(1), out var b));
        Assert.Equal((EventFlags.Backfill, true, false, 63000.10m), (b.Flags, b.IsBackfill, b.IsSnapshot, b.Price));
        var again = new byte[EventCodec.MaxSize];
        Assert.Equal(backfill, again[..EventCodec.Encode(b, again)]);
    }

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Fact]
    public void FairPrice_v2_example()
    {
        var p = new FairPrice
        {
            Price = 63000.15m, Status = FairPriceStatus.Ok, Confidence = 0.25m, SourcesUsed = 3, SourcesKnown = 4,
            NewestInputTimeNs = Ts, ComputedTimeNs = Ts + 40_000, ParametersVersion = 7, SourcesMask = 0b1011,
        };

        Assert.Equal("02 00 00 00 02 ef c2 80 03 02 19 06 08 80 d3 f6 d4 be 94 b9 86 31 80 f1 04 0e 0b", Hex(FairPriceCodec.Encode(p)));
    }

    [Fact]
    public void FairPrice_v2_perpetual_example()
    {
        var p = new FairPrice
        {
            Price = 63030.5m, Status = FairPriceStatus.Degraded, Method = FairPriceMethod.MarkBased, Confidence = 1.5m, SourcesUsed = 2, SourcesKnown = 3,
            NewestInputTimeNs = Ts, ComputedTimeNs = Ts + 40_000, ParametersVersion = 7, SourcesMask = 0b011, Basis = 30.35m, FundingRate = 0.0001m,
        };

        Assert.Equal("02 01 01 03 01 a1 bc 26 01 0f 04 06 80 d3 f6 d4 be 94 b9 86 31 80 f1 04 0e 03 02 db 17 04 01", Hex(FairPriceCodec.Encode(p)));
    }

    [Fact]
    public void DeadLetter_v1_example()
    {
        var d = DeadLetter.Create(ProviderId.Kraken, VenueId.Kraken, FrameReason.Malformed, 1_767_225_600_000_000_005, "{\"p\":"u8, "eof");

        Assert.Equal("01 02 02 05 8a 80 d0 df bd 94 b9 86 31 05 04 65 6f 66 05 7b 22 70 22 3a", Hex(DeadLetterCodec.Encode(d)));
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
