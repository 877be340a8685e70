using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using FsCheck;
using FsCheck.Fluent;

namespace Cloudwall.Rx.Tests.Property.Ingestion;

/// <summary>
/// Real recorded frames, mutated (truncated, bytes flipped, fields swapped, spliced), through every venue decoder:
/// no decoder throws, and every frame is accounted for as decoded, ignored or rejected, with events only when decoded.
/// </summary>
public sealed class DecoderMutationProperties
{
    /// <summary>Each replay venue with the recorded files its decoder reads.</summary>
    public static TheoryData<string, string> VenueFiles => new()
    {
        { "coinbase", "coinbase/COINBASE.ws.28.0" },
        { "binance", "binance/BINANCE.ws.1.0" },
        { "binance-us", "binance_us/BINANCE_US.ws.1.0" },
        { "binance-usdm", "binance_futures/BINANCE_FUTURES.ws.1.0" },
        { "binance-coinm", "binance_delivery/BINANCE_DELIVERY.ws.1.0" },
        { "kraken", "kraken/KRAKEN.ws.48.0" },
        { "kraken", "kraken/KRAKEN.ws.49.0" },
        { "kraken", "kraken/KRAKEN.ws.50.0" },
        { "kraken-futures", "kraken_futures/KRAKEN_FUTURES.ws.1.0" },
        { "okx", "okx/OKX.ws.1.0" },
        { "bybit", "bybit/BYBIT.ws.25.0" },
        { "bybit", "bybit/BYBIT.ws.26.0" },
        { "deribit", "deribit/DERIBIT.ws.1.0" },
    };

    public enum Mutation
    {
        Truncate,
        FlipByte,
        SwapFields,
        Splice,
        DeleteSpan,
        DuplicateSpan,
    }

    [RecordedTheory]
    [MemberData(nameof(VenueFiles))]
    public void Mutated_frames_never_throw_and_are_always_accounted_for(string venue, string file)
    {
        var path = Path.Combine(RecordedFeeds.Locate()!, file);
        var frames = RecordedFeedReader.ReadFile(path)
            .Where(l => l.Kind == RecordedLineKind.Received)
            .Select(l => l.Payload.ToArray())
            .ToArray();
        Assert.NotEmpty(frames);

        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate(venue, refData, out var decoder));
        var output = new EventBuffer();

        var gen =
            from index in Gen.Choose(0, frames.Length - 1)
            from other in Gen.Choose(0, frames.Length - 1)
            from mutation in Gen.Elements(Enum.GetValues<Mutation>())
            from a in Gen.Choose(0, int.MaxValue)
            from b in Gen.Choose(0, int.MaxValue)
            from value in Gen.Choose(0, 255)
            select (index, other, mutation, a, b, (byte)value);

        var decoded = 0;
        var ignored = 0;
        var rejected = 0;
        var total = 0;
        var property = Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var frame = Mutate(frames[t.index], frames[t.other], t.mutation, t.a, t.b, t.Item6);
            output.Clear();
            var outcome = decoder!.Decode(frame, 1_700_000_000_000_000_000, output);
            total++;
            switch (outcome.Status)
            {
                case FrameStatus.Decoded:
                    decoded++;
                    return outcome.Events > 0 && outcome.Events == output.Count;
                case FrameStatus.Ignored:
                    ignored++;
                    return output.Count == 0 && outcome.Reason != FrameReason.None;
                case FrameStatus.Rejected:
                    rejected++;
                    return output.Count == 0 && outcome.Reason >= FrameReason.Malformed;
                default:
                    return false;
            }
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), property);

        Assert.Equal(total, decoded + ignored + rejected);
        Assert.True(rejected > 0, "mutations should produce some rejected frames");
    }

    internal static byte[] Mutate(byte[] frame, byte[] other, Mutation mutation, int a, int b, byte value)
    {
        if (frame.Length == 0)
        {
            return frame;
        }

        var i = a % frame.Length;
        var j = b % frame.Length;
        var (lo, hi) = i <= j ? (i, j) : (j, i);
        switch (mutation)
        {
            case Mutation.Truncate:
                return frame[..i];
            case Mutation.FlipByte:
            {
                var copy = (byte[])frame.Clone();
                copy[i] = value;
                return copy;
            }

            case Mutation.SwapFields:
            {
                // Swap two comma-separated segments: keys and values trade places, types collide.
                var text = System.Text.Encoding.UTF8.GetString(frame).Split(',');
                if (text.Length > 2)
                {
                    var x = a % text.Length;
                    var y = b % text.Length;
                    (text[x], text[y]) = (text[y], text[x]);
                }

                return System.Text.Encoding.UTF8.GetBytes(string.Join(',', text));
            }

            case Mutation.Splice:
                return [.. frame[..i], .. other[(b % Math.Max(1, other.Length))..]];
            case Mutation.DeleteSpan:
                return [.. frame[..lo], .. frame[hi..]];
            default:
                return [.. frame[..hi], .. frame[lo..hi], .. frame[hi..]];
        }
    }
}
