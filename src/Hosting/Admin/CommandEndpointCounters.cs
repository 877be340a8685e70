namespace Cloudwall.Rx.Hosting.Admin;

/// <summary>
/// <c>POST /commands</c> requests refused before the command bus saw them, by HTTP status (413 too large, 415 not JSON,
/// 429 over the per-address rate). Exported as <c>cloudwall_admin_commands_refused_total{status}</c>.
/// </summary>
public sealed class CommandEndpointCounters
{
    private long _tooLarge;
    private long _unsupportedType;
    private long _rateLimited;

    public void Refused(int status)
    {
        switch (status)
        {
            case StatusCodes.Status413PayloadTooLarge:
                Interlocked.Increment(ref _tooLarge);
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                Interlocked.Increment(ref _unsupportedType);
                break;
            case StatusCodes.Status429TooManyRequests:
                Interlocked.Increment(ref _rateLimited);
                break;
        }
    }

    /// <summary>Each counted status and its count so far.</summary>
    public IEnumerable<(string Status, long Count)> Counts()
    {
        yield return ("413", Volatile.Read(ref _tooLarge));
        yield return ("415", Volatile.Read(ref _unsupportedType));
        yield return ("429", Volatile.Read(ref _rateLimited));
    }
}
