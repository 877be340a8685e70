namespace Cloudwall.Rx.Ingestion.Venues.Kit;

/// <summary>The bytes of the current JSON token without allocating: the frame's own span, or an unescaped copy in a decoder's buffer.</summary>
internal static class JsonValues
{
    /// <summary>
    /// The current property name: the raw span when unescaped, else unescaped into <paramref name="buffer"/>. Escaped names
    /// longer than the buffer cannot be one of ours and come back empty.
    /// </summary>
    public static ReadOnlySpan<byte> PropertyName(scoped ref FrameJsonReader reader, Span<byte> buffer)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        return reader.ValueSpan.Length > buffer.Length ? default : buffer[..reader.CopyString(buffer)];
    }

    /// <summary>
    /// Moves to the next scalar field of a flat record (a JSON object whose fields we read are strings or numbers): true with
    /// <paramref name="name"/> set and the reader on the value; false at the record's end. Objects, arrays and nulls are passed over.
    /// </summary>
    public static bool NextScalarField(scoped ref FrameJsonReader reader, Span<byte> names, out ReadOnlySpan<byte> name)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (TryReadScalarProperty(ref reader, names, out name))
            {
                return true;
            }
        }

        name = default;
        return false;
    }

    /// <summary>
    /// Reads one property of a flat record, the reader on its name: the name (as <see cref="PropertyName"/>), then onto the
    /// value. False for a value that is no field of a flat record: an object or array (skipped whole) or a null.
    /// </summary>
    private static bool TryReadScalarProperty(scoped ref FrameJsonReader reader, Span<byte> names, out ReadOnlySpan<byte> name)
    {
        name = PropertyName(ref reader, names);
        reader.Read();
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        return reader.TokenType != JsonTokenType.Null;
    }

    /// <summary>
    /// The current string or number token: the raw span when unescaped, else unescaped into <paramref name="scratch"/> from
    /// <paramref name="used"/> on. False when the scratch has no room left (the frame is then malformed for our purposes).
    /// </summary>
    public static bool TryCapture(scoped ref FrameJsonReader reader, Span<byte> scratch, scoped ref int used, out ReadOnlySpan<byte> value)
    {
        if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
            return true;
        }

        if (reader.ValueSpan.Length > scratch.Length - used)
        {
            value = default;
            return false;
        }

        var n = reader.CopyString(scratch[used..]);
        value = scratch.Slice(used, n);
        used += n;
        return true;
    }

    /// <summary>As <see cref="TryCapture"/>, but a value with no room comes back as a NUL byte, which every parser refuses.</summary>
    public static ReadOnlySpan<byte> CaptureOrInvalid(scoped ref FrameJsonReader reader, Span<byte> scratch, scoped ref int used) =>
        TryCapture(ref reader, scratch, ref used, out var value) ? value : "\u0000"u8;
}
