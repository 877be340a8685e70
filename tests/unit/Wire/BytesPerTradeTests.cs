using Cloudwall.Rx.Core;
using Cloudwall.Rx.Core.Wire;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Unit.Wire;

/// <summary>What a trade costs on Kafka: the encoded value of every recorded Coinbase trade against its raw JSON.</summary>
public sealed class BytesPerTradeTests(ITestOutputHelper output)
{
    [RecordedFact(RecordedFiles.Coinbase)]
    public void Every_recorded_trade_encodes_in_at_most_40_bytes_of_value()
    {
        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate("coinbase", refData, out var decoder));
        var buffer = new EventBuffer();
        Span<byte> value = stackalloc byte[EventCodec.MaxSize];
        long trades = 0, valueBytes = 0, rawBytes = 0, max = 0;
        foreach (var line in RecordedFeedReader.ReadFile(RecordedFiles.PathOf(RecordedFiles.Coinbase)))
        {
            if (line.Kind != RecordedLineKind.Received)
            {
                continue;
            }

            buffer.Clear();
            decoder!.Decode(line.Payload.Span, line.TimeNs, buffer);
            foreach (var e in buffer.AsSpan())
            {
                if (e.Kind != EventKind.Trade)
                {
                    continue;
                }

                var n = EventCodec.Encode(e, value);
                trades++;
                valueBytes += n;
                rawBytes += line.Payload.Length;
                max = Math.Max(max, n);
            }
        }

        output.WriteLine($"trades={trades} mean_value_bytes={(double)valueBytes / trades:F1} max={max} mean_raw_json_bytes={(double)rawBytes / trades:F1}");
        Assert.Equal(107, trades);
        Assert.True(max <= 40, $"largest trade value is {max} bytes");
    }
}
