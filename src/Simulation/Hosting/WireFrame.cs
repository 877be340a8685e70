using System.Buffers;
using System.Text.Json;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// One reusable JSON writer per thread for building simulator frames. A frame is copied out to a fresh array by
/// <see cref="End"/>, because one frame goes to every subscriber's queue.
/// </summary>
internal static class WireFrame
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The thread's writer, emptied; finish the frame with <see cref="End"/> before the next <see cref="Begin"/>.</summary>
    public static Utf8JsonWriter Begin()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>Flushes <paramref name="writer"/> and copies the frame out.</summary>
    public static byte[] End(Utf8JsonWriter writer)
    {
        writer.Flush();
        return t_buffer!.WrittenSpan.ToArray();
    }
}
