using System.Text.Json.Serialization;

namespace Cloudwall.Rx.Quality.Scorecard;

/// <summary>
/// What one configured provider received over <see cref="Seconds"/>: payload bytes and messages off the wire (control,
/// acknowledgement and heartbeat messages included), the normalized events decoded from them, their rates, and the bytes
/// paid per event. The run summary and <c>/quality</c> both carry it (docs/cost.md, "Ingress").
/// </summary>
public sealed record ProviderIngress(
    [property: JsonPropertyName("received_bytes")] long ReceivedBytes,
    [property: JsonPropertyName("received_frames")] long ReceivedFrames,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("received_bytes_per_second")] double ReceivedBytesPerSecond,
    [property: JsonPropertyName("received_frames_per_second")] double ReceivedFramesPerSecond,
    [property: JsonPropertyName("events_per_second")] double EventsPerSecond,
    [property: JsonPropertyName("received_bytes_per_event")] double? ReceivedBytesPerEvent)
{
    /// <summary>The rates over <paramref name="elapsed"/>; bytes per event is null while no event was decoded.</summary>
    public static ProviderIngress Of(long bytes, long frames, long events, TimeSpan elapsed)
    {
        var seconds = elapsed.TotalSeconds;
        var per = seconds > 0 ? 1 / seconds : 0;
        return new ProviderIngress(bytes, frames, events, Math.Round(seconds, 3), Math.Round(bytes * per, 1), Math.Round(frames * per, 1),
            Math.Round(events * per, 1), events == 0 ? null : Math.Round((double)bytes / events, 2));
    }
}
