namespace Cloudwall.Rx.Ingestion.Venues.Kraken;

/// <summary>What the Kraken decoders share beyond the venue kit: their name buffer and Kraken's spelling of sides.</summary>
internal static class KrakenText
{
    /// <summary>Room for an unescaped property name; longer names are none of ours.</summary>
    public const int NameBufferBytes = 6 * 40;

    /// <summary>The taker side as Kraken spells it: <c>buy</c>/<c>sell</c> (v2, futures) or <c>b</c>/<c>s</c> (v1).</summary>
    public static Side TakerSide(ReadOnlySpan<byte> side) => side switch
    {
        _ when side.SequenceEqual("b"u8) || side.SequenceEqual("buy"u8) => Side.Buy,
        _ when side.SequenceEqual("s"u8) || side.SequenceEqual("sell"u8) => Side.Sell,
        _ => Side.Unknown,
    };

    /// <summary>True for a scalar token a field can carry.</summary>
    public static bool IsScalar(JsonTokenType t) => t is JsonTokenType.String or JsonTokenType.Number;
}
