using System.Globalization;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Cloudwall.Rx.Tests.Property.Core;

[Properties(Arbitrary = [typeof(CoreArbitraries)], MaxTest = 2000)]
public sealed class CodecProperties
{
    [Property]
    public bool Encode_then_decode_is_identity(MarketEvent e)
    {
        Span<byte> buffer = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e, buffer);
        return EventCodec.TryDecode(buffer[..n], e.Instrument, out var back) && back == e && SameBits(back, e);
    }

    [Property]
    public bool The_snapshot_flag_survives_the_codec_and_changes_nothing_else(MarketEvent e)
    {
        Span<byte> live = stackalloc byte[EventCodec.MaxSize];
        Span<byte> snapshot = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e with { Flags = EventFlags.None }, live);
        var m = EventCodec.Encode(e with { Flags = EventFlags.Snapshot }, snapshot);
        return n == m && live[..n][2..].SequenceEqual(snapshot[..m][2..]) && (snapshot[1] ^ live[1]) == 0x40 &&
               EventCodec.TryDecode(snapshot[..m], e.Instrument, out var back) && back.IsSnapshot &&
               EventCodec.TryDecode(live[..n], e.Instrument, out var backLive) && !backLive.IsSnapshot;
    }

    [Property]
    public bool Version_1_values_decode_as_live_events(MarketEvent e)
    {
        // A v1 writer produced exactly the v2 bytes with version 1 and the flag bits clear.
        Span<byte> buffer = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e with { Flags = EventFlags.None }, buffer);
        buffer[0] = EventCodec.Version1;
        return EventCodec.TryDecode(buffer[..n], e.Instrument, out var back) && back == e with { Flags = EventFlags.None };
    }

    [Property]
    public bool Decimals_survive_with_their_scale(decimal d)
    {
        Span<byte> buffer = stackalloc byte[DecimalCodec.MaxSize];
        var n = DecimalCodec.Write(buffer, d);
        var pos = 0;
        return DecimalCodec.TryRead(buffer[..n], ref pos, out var back) && pos == n &&
               back.ToString(CultureInfo.InvariantCulture) == d.ToString(CultureInfo.InvariantCulture);
    }

    [Property]
    public FsCheck.Property Venue_price_text_is_unchanged_through_the_codec()
    {
        var texts = Generators.VenuePrice.Select(p => p.ToString(CultureInfo.InvariantCulture));
        return Prop.ForAll(texts.ToArbitrary(), text =>
        {
            var e = new MarketEvent { Kind = EventKind.Trade, Price = decimal.Parse(text, CultureInfo.InvariantCulture), ReceiveTimeNs = 1 };
            Span<byte> buffer = stackalloc byte[EventCodec.MaxSize];
            var n = EventCodec.Encode(e, buffer);
            return EventCodec.TryDecode(buffer[..n], e.Instrument, out var back) &&
                   back.Price.ToString(CultureInfo.InvariantCulture) == text;
        });
    }

    [Property]
    public bool Truncated_values_never_decode_and_never_throw(MarketEvent e, byte cut)
    {
        Span<byte> buffer = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e, buffer);
        var len = cut % n;
        return !EventCodec.TryDecode(buffer[..len], e.Instrument, out _);
    }

    [Property]
    public bool Iso_rendering_parses_back_exactly(long nanos)
    {
        var t = Math.Abs(nanos % 7_000_000_000_000_000_000L);
        var iso = UnixTime.ToIso(t);
        return Utf8Time.TryParseIso(System.Text.Encoding.UTF8.GetBytes(iso), out var back) && back == t;
    }

    [Property]
    public bool Varints_round_trip(ulong value)
    {
        Span<byte> buffer = stackalloc byte[10];
        var n = Varint.Write(buffer, value);
        var pos = 0;
        return Varint.TryRead(buffer[..n], ref pos, out ulong back) && back == value && pos == n;
    }

    [Fact]
    public void The_satoshi_price_of_the_recording_stays_exact()
    {
        var e = new MarketEvent { Kind = EventKind.Trade, Price = 0.00001305m, Size = 985m, ReceiveTimeNs = 1_618_677_817_129_516_100 };
        Span<byte> buffer = stackalloc byte[EventCodec.MaxSize];
        var n = EventCodec.Encode(e, buffer);
        Assert.True(EventCodec.TryDecode(buffer[..n], e.Instrument, out var back));
        Assert.Equal("0.00001305", back.Price.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("985", back.Size.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("63000.10", (63000.10m).ToString(CultureInfo.InvariantCulture));
    }

    private static bool SameBits(in MarketEvent a, in MarketEvent b) =>
        decimal.GetBits(a.Price).SequenceEqual(decimal.GetBits(b.Price)) &&
        decimal.GetBits(a.Size).SequenceEqual(decimal.GetBits(b.Size)) &&
        decimal.GetBits(a.Aux).SequenceEqual(decimal.GetBits(b.Aux)) &&
        decimal.GetBits(a.AuxSize).SequenceEqual(decimal.GetBits(b.AuxSize));
}
