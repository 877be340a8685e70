using Microsoft.AspNetCore.Http;

namespace Cloudwall.Rx.Simulation.Hosting;

/// <summary>
/// A venue's public REST API (recent trades, for back-fill) served on the simulator's port beside its WebSocket streams, in
/// the venue's own paths and response shapes. Real venues use another host for REST; a provider's <c>RestEndpoint</c>
/// setting points at the simulator's <see cref="VenueSimulator.RestEndpoint"/> instead.
/// </summary>
public interface IVenueRestApi
{
    /// <summary>
    /// Answers the request when its path is one of the venue's endpoints and returns true; returns false (writing nothing)
    /// for any other path. Called on Kestrel's threads, several at once.
    /// </summary>
    Task<bool> TryHandleAsync(HttpContext context);
}

/// <summary>
/// What every simulated REST API shares before the venue's handler runs: the venue's published request limit (answered with
/// <c>429</c> and <c>Retry-After</c> when passed, as venues do) and the <see cref="SimulatorFaults.FailRest"/> fault.
/// </summary>
internal sealed class RestGate(IVenueRestApi api, SimulatorFaults faults, int maxRequestsPerSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _windowSecond = long.MinValue;
    private int _inWindow;
    private long _requests;
    private long _limited;

    public long Requests => Interlocked.Read(ref _requests);

    public long Limited => Interlocked.Read(ref _limited);

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            return false;
        }

        Interlocked.Increment(ref _requests);
        if (faults.TakeRestFailure() is { } status)
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status429TooManyRequests)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            await context.Response.WriteAsync($"{{\"error\":\"simulated HTTP {status}\"}}").ConfigureAwait(false);
            return true;
        }

        if (!Admit())
        {
            Interlocked.Increment(ref _limited);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync("{\"error\":\"too many requests\"}").ConfigureAwait(false);
            return true;
        }

        return await api.TryHandleAsync(context).ConfigureAwait(false);
    }

    private bool Admit()
    {
        if (maxRequestsPerSecond <= 0)
        {
            return true;
        }

        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            if (second != _windowSecond)
            {
                _windowSecond = second;
                _inWindow = 0;
            }

            return ++_inWindow <= maxRequestsPerSecond;
        }
    }
}

/// <summary>Small helpers for the venues' REST handlers.</summary>
public static class RestResponses
{
    /// <summary>Writes a JSON body with the status.</summary>
    public static async Task WriteJsonAsync(HttpContext context, byte[] utf8Json, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = utf8Json.Length;
        await context.Response.Body.WriteAsync(utf8Json).ConfigureAwait(false);
    }

    /// <summary>A query parameter as a long, or <paramref name="fallback"/> when absent; false when present but not a number.</summary>
    public static bool TryLong(HttpContext context, string name, long fallback, out long value)
    {
        var text = context.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
