using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>
/// Settings of an <see cref="AggregatorProvider"/> (configuration section <see cref="SectionName"/>). Validated by the provider's
/// constructor and on start; errors name the bad key. The API token is a secret: it is sent as call metadata and never logged or printed.
/// </summary>
public sealed class AggregatorProviderOptions : ICheckedOptions
{
    public const string SectionName = "Ingestion:Aggregator";

    /// <summary>A placeholder for the production gateway; configure the real one. The simulator is <c>http://127.0.0.1:port</c> (HTTP/2 cleartext).</summary>
    public const string DefaultEndpoint = "https://stream.aggregator.example:443";

    /// <summary>
    /// The gRPC endpoint. <c>https</c> negotiates HTTP/2 over TLS; <c>http</c> speaks HTTP/2 cleartext with prior knowledge, which
    /// GrpcChannel does by itself on .NET 5 and later (no <c>Http2UnencryptedSupport</c> AppContext switch; the loopback tests prove it).
    /// </summary>
    public Uri Endpoint { get; set; } = new(DefaultEndpoint);

    /// <summary>Sent as <c>authorization: Bearer &lt;token&gt;</c> on every call. Secret: never logged.</summary>
    public string? ApiToken { get; set; }

    /// <summary>The most criteria one stream (one call) carries; more criteria open more concurrent streams.</summary>
    public int MaxCriteriaPerStream { get; set; } = 16;

    /// <summary>A stream with no market update for this long is restarted; heartbeats do not count as data. Infinite disables it.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first delay before reconnecting a failed stream; it doubles per failure up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>HTTP/2 PING interval on an idle connection, so a dead peer is found even when the stream is quiet.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest message accepted from the server.</summary>
    public int MaxReceiveMessageBytes { get; set; } = 1 << 20;

    /// <summary>
    /// Null: every trade (<c>Subscribe</c>, the <c>trades</c> level). <c>1s</c>: per-second OHLCV/VWAP aggregates instead
    /// (<c>SubscribeAggregates</c>, the <c>bars</c> level), each delivered as one trade at the bar's VWAP for its volume
    /// (<see cref="AggregatorDecoder.TradeOf"/>).
    /// </summary>
    public string? Aggregate { get; set; }

    /// <summary>What the event validation (the same as every WebSocket venue's) accepts as an exchange time.</summary>
    public EventBounds Bounds { get; set; } = EventBounds.Default;

    public IEnumerable<string> Errors()
    {
        const string p = SectionName;
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
            yield return $"{p}:{nameof(Endpoint)} must be an absolute http or https URL";
        if (MaxCriteriaPerStream < 1) yield return $"{p}:{nameof(MaxCriteriaPerStream)} must be at least 1 (was {MaxCriteriaPerStream})";
        if (StaleAfter <= TimeSpan.Zero && StaleAfter != Timeout.InfiniteTimeSpan)
            yield return $"{p}:{nameof(StaleAfter)} must be positive, or infinite to disable (was {StaleAfter})";
        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
            yield return $"{p}:{nameof(ReconnectDelay)} must be positive and not above {nameof(MaxReconnectDelay)} (was {ReconnectDelay})";
        if (KeepAlivePingDelay <= TimeSpan.Zero || KeepAlivePingTimeout <= TimeSpan.Zero)
            yield return $"{p}:{nameof(KeepAlivePingDelay)} and {nameof(KeepAlivePingTimeout)} must be positive";
        if (Aggregate is not null && !AggregatorDecoder.TryPeriod(Aggregate, out _))
            yield return $"{p}:{nameof(Aggregate)} must be {AggregatorDecoder.OneSecond} or unset (was '{Aggregate}')";
        if (MaxReceiveMessageBytes < 1024) yield return $"{p}:{nameof(MaxReceiveMessageBytes)} must be at least 1024 (was {MaxReceiveMessageBytes})";
        if (Bounds is null)
        {
            yield return $"{p}:{nameof(Bounds)} is required";
            yield break;
        }

        foreach (var e in Bounds.Errors(p)) yield return e;
    }

    /// <summary>Everything but the token.</summary>
    public override string ToString() =>
        $"Endpoint={Endpoint}, ApiToken={(string.IsNullOrEmpty(ApiToken) ? "(none)" : "(set)")}, MaxCriteriaPerStream={MaxCriteriaPerStream}, StaleAfter={StaleAfter}, Aggregate={Aggregate ?? "(trades)"}";
}
