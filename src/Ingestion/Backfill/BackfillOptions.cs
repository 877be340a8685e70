namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>What a full queue of fill requests does.</summary>
public enum BackfillOverflow
{
    /// <summary>The new request is refused: counted as a dropped gap and reported (an alert says so). Older requests are nearer the front.</summary>
    DropNewest = 0,

    /// <summary>The oldest waiting request is dropped (counted and reported the same way) to make room for the new one.</summary>
    DropOldest = 1,
}

/// <summary>
/// Gap-fill settings of one provider (<c>Providers:&lt;name&gt;:Backfill</c>; docs/backfill.md). A break in the live stream
/// (a sequence gap or a reconnect) becomes one request per instrument; each provider fetches one request at a time.
/// </summary>
public sealed record BackfillOptions
{
    /// <summary>Fetch what the live stream lost. Off: gaps are still detected, counted and alerted, nothing is fetched.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The REST root; null: the venue's production one (or, under <c>run</c>, the simulator's).</summary>
    public Uri? RestEndpoint { get; init; }

    /// <summary>Fill requests waiting per provider; beyond it <see cref="Overflow"/> applies.</summary>
    public int QueueCapacity { get; init; } = 256;

    public BackfillOverflow Overflow { get; init; } = BackfillOverflow.DropNewest;

    /// <summary>The longest break fetched, in exchange time; a longer one is counted and alerted as skipped, not fetched.</summary>
    public TimeSpan MaxGap { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The most trades fetched for one break (also a cap on a gap of known size: a larger one is skipped).</summary>
    public int MaxTrades { get; init; } = 10_000;

    /// <summary>
    /// How long after the break closed the fetch starts: a venue's REST history lags its stream by a little, and the wait
    /// lets one fetch cover a burst of gaps of the same instrument.
    /// </summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One fill, all its pages and retries included.</summary>
    public TimeSpan FillTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public BackfillHttpOptions Http { get; init; } = new();

    /// <summary>Errors naming the bad key under <paramref name="key"/> (e.g. <c>Providers:binance:Backfill</c>).</summary>
    public IEnumerable<string> Errors(string key)
    {
        if (QueueCapacity < 1) yield return $"{key}:{nameof(QueueCapacity)} must be at least 1 (was {QueueCapacity})";
        if (!Enum.IsDefined(Overflow)) yield return $"{key}:{nameof(Overflow)} must be DropNewest or DropOldest (was {Overflow})";
        if (MaxGap <= TimeSpan.Zero) yield return $"{key}:{nameof(MaxGap)} must be positive (was {MaxGap})";
        if (MaxTrades < 1) yield return $"{key}:{nameof(MaxTrades)} must be at least 1 (was {MaxTrades})";
        if (SettleDelay < TimeSpan.Zero) yield return $"{key}:{nameof(SettleDelay)} must not be negative (was {SettleDelay})";
        if (FillTimeout <= TimeSpan.Zero) yield return $"{key}:{nameof(FillTimeout)} must be positive (was {FillTimeout})";
        if (Http.TotalTimeout <= TimeSpan.Zero || Http.AttemptTimeout <= TimeSpan.Zero)
            yield return $"{key}:Http timeouts must be positive (were {Http.TotalTimeout} and {Http.AttemptTimeout})";
        if (Http.MaxRetries < 0) yield return $"{key}:Http:MaxRetries must not be negative (was {Http.MaxRetries})";
        if (Http.MaxResponseBytes < 1024) yield return $"{key}:Http:MaxResponseBytes must be at least 1024 (was {Http.MaxResponseBytes})";
        if (RestEndpoint is { IsAbsoluteUri: false } or { Scheme: not ("http" or "https") })
            yield return $"{key}:{nameof(RestEndpoint)} must be an absolute http(s) address (was {RestEndpoint})";
    }
}
