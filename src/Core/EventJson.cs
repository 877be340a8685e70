using System.Globalization;
using System.Text.Json;

namespace Cloudwall.Rx.Core;

/// <summary>
/// The JSON rendering of events for people (replay, tail). Money stays exact: prices and sizes are decimal strings.
/// </summary>
public static class EventJson
{
    public static string ToJson(in MarketEvent e, ReferenceData refData)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, e, refData);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter w, in MarketEvent e, ReferenceData refData)
    {
        w.WriteStartObject();
        w.WriteString("venue", e.Venue.Name);
        w.WriteString("provider", e.Provider.Name);
        var symbol = refData.VenueSymbol(e.Instrument, e.Venue);
        if (symbol is null)
        {
            w.WriteNull("symbol");
        }
        else
        {
            w.WriteString("symbol", symbol);
        }

        w.WriteString("instrument", refData.KeyOf(e.Instrument));
        w.WriteString("kind", e.Kind.ToText());
        if (e.TradeId.IsNone)
        {
            w.WriteNull("trade_id");
        }
        else
        {
            w.WriteString("trade_id", e.TradeId.ToString());
        }

        w.WriteString("price", Dec(e.Price));
        w.WriteString("size", Dec(e.Size));
        if (e.Kind == EventKind.Quote)
        {
            w.WriteString("ask", Dec(e.Aux));
            w.WriteString("ask_size", Dec(e.AuxSize));
        }
        else if (!Wire.DecimalCodec.IsDefault(e.Aux))
        {
            w.WriteString(e.Kind == EventKind.Mark ? "mark_iv" : "aux", Dec(e.Aux));
        }

        w.WriteString("side", e.Side.ToText());
        if (e.ExchangeTimeNs == 0)
        {
            w.WriteNull("exchange_ts");
        }
        else
        {
            w.WriteString("exchange_ts", UnixTime.ToIso(e.ExchangeTimeNs));
        }

        w.WriteString("receive_ts", UnixTime.ToIso(e.ReceiveTimeNs));
        if (e.Sequence == 0)
        {
            w.WriteNull("sequence");
        }
        else
        {
            w.WriteNumberValue(e.Sequence, "sequence");
        }

        if (e.IsSnapshot)
        {
            // History sent on (re)subscribe; live events leave the field off.
            w.WriteBoolean("snapshot", true);
        }

        if (e.IsBackfill)
        {
            // Fetched back over REST after a gap; live events leave the field off.
            w.WriteBoolean("backfill", true);
        }

        w.WriteEndObject();
    }

    public static string Dec(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static void WriteNumberValue(this Utf8JsonWriter w, long value, string name) => w.WriteNumber(name, value);
}
