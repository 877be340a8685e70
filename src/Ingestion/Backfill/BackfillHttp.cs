using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>
/// The HTTP side every back-fill client shares: one <see cref="HttpClient"/> per client behind the standard resilience
/// pipeline of <c>Microsoft.Extensions.Http.Resilience</c> (a total timeout, retries with exponential back-off and jitter
/// that honour <c>Retry-After</c>, a circuit breaker, a per-attempt timeout), a <see cref="RestBudget"/> that keeps within the
/// venue's published request or weight limit before a request leaves, and a cap on the size of an answer.
/// </summary>
/// <remarks>
/// The pipeline's strategies are those of <c>AddStandardResilienceHandler</c>, built without dependency injection
/// (https://learn.microsoft.com/dotnet/core/resilience/http-resilience, checked 2026-12-06): 429, 408 and 5xx answers and
/// transport errors are retried; other 4xx are not (a Binance 418 is an IP ban: retrying would lengthen it).
/// </remarks>
public sealed class BackfillHttp : IDisposable
{
    /// <summary>The largest answer read; a bigger one is refused as oversized.</summary>
    public const int DefaultMaxResponseBytes = 8 << 20;

    private readonly HttpClient _client;
    private readonly RestBudget _budget;
    private readonly int _maxResponseBytes;

    /// <param name="baseAddress">The venue's REST root, such as <c>https://api.binance.com/</c> (a simulator's on loopback in tests).</param>
    /// <param name="budget">The venue's request limit; shared by every client of one venue and IP.</param>
    /// <param name="inner">The transport; null: a <see cref="SocketsHttpHandler"/>. Tests pass their own.</param>
    public BackfillHttp(Uri baseAddress, RestBudget budget, BackfillHttpOptions? options = null, TimeProvider? time = null, HttpMessageHandler? inner = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(budget);
        options ??= new BackfillHttpOptions();
        _budget = budget;
        _maxResponseBytes = options.MaxResponseBytes;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time ?? TimeProvider.System }
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { BreakDuration = options.BreakDuration })
            .AddTimeout(options.AttemptTimeout)
            .Build();
        _client = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = inner ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } })
        {
            BaseAddress = baseAddress,
            // The pipeline's timeouts govern; the client's own would cut across its retries.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("cloudwall-rx-backfill/1");
    }

    public Uri BaseAddress => _client.BaseAddress!;

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> (relative to the base address) once the budget allows <paramref name="weight"/>,
    /// and returns the body. A non-success status after the retries, or a body over the size cap, is a <see cref="BackfillException"/>.
    /// </summary>
    public async Task<byte[]> GetAsync(string pathAndQuery, int weight, CancellationToken cancellationToken)
    {
        await _budget.WaitAsync(weight, cancellationToken).ConfigureAwait(false);
        using var response = await _client.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is > 0 and var length && length > _maxResponseBytes)
        {
            throw new BackfillException(FrameReason.Oversized, $"GET {pathAndQuery}: {length} bytes, over the {_maxResponseBytes}-byte cap");
        }

        var body = await ReadCappedAsync(response.Content, cancellationToken).ConfigureAwait(false)
            ?? throw new BackfillException(FrameReason.Oversized, $"GET {pathAndQuery}: more than the {_maxResponseBytes}-byte cap");
        if (!response.IsSuccessStatusCode)
        {
            throw new BackfillException(FrameReason.VenueError, $"GET {pathAndQuery}: HTTP {(int)response.StatusCode} {StatusText(response.StatusCode)}", body);
        }

        return body;
    }

    private async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _maxResponseBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string StatusText(HttpStatusCode code) => Enum.IsDefined(code) ? code.ToString() : "";

    public void Dispose() => _client.Dispose();
}

/// <summary>The resilience settings of <see cref="BackfillHttp"/> (per provider: <c>Providers:&lt;name&gt;:Backfill:Http</c>).</summary>
public sealed record BackfillHttpOptions
{
    /// <summary>One request, retries included.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxRetries { get; init; } = 3;

    /// <summary>The first retry's delay; doubles per retry, with jitter, unless the venue says <c>Retry-After</c>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the circuit stays open once too many attempts failed.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    public int MaxResponseBytes { get; init; } = BackfillHttp.DefaultMaxResponseBytes;
}
