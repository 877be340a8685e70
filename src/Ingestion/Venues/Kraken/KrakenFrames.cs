using System.Buffers;
using System.Text;

namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>Writes the small JSON requests the Kraken protocols send (subscribe, unsubscribe, ping). Not on the hot path.</summary>
internal static class KrakenFrames
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            body(w);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
