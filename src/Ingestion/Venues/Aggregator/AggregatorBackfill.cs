using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Cloudwall.Rx.Ingestion.Venues.Aggregator;

/// <summary>
/// Back-fill from the aggregator: the unary <c>StreamMarketData/GetTrades</c> of our proto (modelled on Kaiko's historical
/// "All trades" endpoint: one instrument as exchange, class and code, <c>start_time</c> inclusive, <c>end_time</c> exclusive,
/// <c>page_size</c>, <c>sort</c>, <c>continuation_token</c>) over the provider's own gRPC endpoint and bearer token, behind a Polly
/// <see cref="ResiliencePipeline"/> (a total timeout, retries with exponential back-off and jitter on UNAVAILABLE,
/// RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED and INTERNAL, a per-attempt timeout), with the settings of
/// <see cref="BackfillHttpOptions"/>. <see cref="BackfillRequest.Symbol"/> is the aggregator's <c>exchange:class:code</c> key
/// (<see cref="AggregatorCriteria"/>), such as <c>cbse:spot:btc-usd</c>.
/// </summary>
/// <remarks>
/// Checked 2026-12-06: https://docs.kaiko.com/rest-api/data-feeds/level-1-and-level-2-data/level-1-tick-level/all-trades and
/// https://docs.kaiko.com/rest-api/general/getting-started/pagination ("Only the first call should include page_size, all
/// subsequent calls should only use continuation_token").
/// <para>Trades decode as the live stream's (<see cref="AggregatorDecoder.Convert"/>): the same trade id mapping (digits as
/// numbers, UUIDs, other text hashed), venue from the exchange code, taker side. Their <see cref="MarketEvent.Sequence"/> is 0:
/// the live sequence is the stream's <c>sequence_id</c>, which history does not have. <see cref="ConsecutiveIds"/> is false:
/// one provider carries many exchanges whose ids are UUIDs, hashed text or numbered across instruments, and the live gap is
/// seen in the per-stream <c>sequence_id</c>, not in trade ids; the interval is filled by exchange time.</para>
/// </remarks>
public sealed class AggregatorBackfill : IBackfillClient, IDisposable
{
    /// <summary>Trades per page: the proto's maximum.</summary>
    public const int PageSize = 1000;

    /// <summary>Calls per second. The contract is ours and publishes no limit; a modest rate keeps back-fill from crowding the streams.</summary>
    public const int CallsPerSecond = 10;

    private const string What = "aggregator GetTrades";

    private readonly StreamMarketData.StreamMarketDataClient _client;
    private readonly GrpcChannel? _ownedChannel;
    private readonly Metadata _headers;
    private readonly ReferenceData _refData;
    private readonly RestBudget _budget;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Opens its own channel to <see cref="AggregatorProviderOptions.Endpoint"/>, as the provider's, with its token.</summary>
    /// <param name="refData">Reference data with <see cref="AggregatorCodes.Register"/> applied (the provider's).</param>
    /// <param name="budget">Shared by every client of the one aggregator account; null: <see cref="CreateBudget"/>.</param>
    public AggregatorBackfill(AggregatorProviderOptions options, ReferenceData refData, RestBudget? budget = null, BackfillHttpOptions? resilience = null,
        TimeProvider? time = null, ILoggerFactory? loggers = null)
        : this(AggregatorProvider.CreateChannel(Checked(options), loggers ?? NullLoggerFactory.Instance, throwOperationCanceled: true), options, refData, budget,
            resilience, time)
    {
    }

    private AggregatorBackfill(GrpcChannel channel, AggregatorProviderOptions options, ReferenceData refData, RestBudget? budget, BackfillHttpOptions? resilience,
        TimeProvider? time)
        : this(channel.CreateCallInvoker(), options, refData, budget, resilience, time) => _ownedChannel = channel;

    /// <summary>Over any call invoker (tests script one).</summary>
    internal AggregatorBackfill(CallInvoker invoker, AggregatorProviderOptions options, ReferenceData refData, RestBudget? budget = null,
        BackfillHttpOptions? resilience = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentNullException.ThrowIfNull(refData);
        _client = new StreamMarketData.StreamMarketDataClient(invoker);
        _headers = AggregatorProvider.AuthHeaders(Checked(options));
        _refData = refData;
        _budget = budget ?? CreateBudget(time);
        _pipeline = CreatePipeline(resilience ?? new BackfillHttpOptions(), time ?? TimeProvider.System);
    }

    /// <summary>The provider's endpoint (a placeholder until configured): the one gRPC root for streams and history.</summary>
    public static Uri DefaultRestEndpoint { get; } = new(AggregatorProviderOptions.DefaultEndpoint);

    public bool ConsecutiveIds => false;

    /// <summary>The aggregator's <c>exchange:class:code</c> key of the instrument on the break's venue (<see cref="AggregatorCodes.KeyOf"/>).</summary>
    public string? SymbolOf(ReferenceData refData, InstrumentId instrument, VenueId venue) =>
        refData.TryGet(instrument, out var i) ? AggregatorCodes.KeyOf(venue, i.Spec) : null;

    /// <summary><see cref="CallsPerSecond"/> calls a second, weight 1 each.</summary>
    public static RestBudget CreateBudget(TimeProvider? time = null) => new(CallsPerSecond, TimeSpan.FromSeconds(1), time);

    public async Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!AggregatorCriteria.TryNormalize(request.Symbol, out var key) || key.Contains(AggregatorCriteria.Wildcard, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{request.Symbol}' is not one exchange:class:code instrument", nameof(request));
        }

        var instrument = AggregatorCriteria.ToProto(key);
        var call = new TradesRequest
        {
            Exchange = instrument.Exchange,
            InstrumentClass = instrument.InstrumentClass,
            Code = instrument.Code,
            StartTime = AggregatorDecoder.ToTimestamp(request.FromTimeNs),
            EndTime = AggregatorDecoder.ToTimestamp(request.ToTimeNs + 1), // exclusive: the end bound is included
            PageSize = PageSize,
            Sort = "asc",
        };
        var trades = new List<MarketEvent>();
        bool? reachedStart = null;
        while (true)
        {
            await _budget.WaitAsync(1, cancellationToken).ConfigureAwait(false);
            var page = await CallAsync(call, cancellationToken).ConfigureAwait(false);
            foreach (var update in page.Trades)
            {
                var trade = Decode(update, request, receiveTimeNs);
                reachedStart ??= trade.ExchangeTimeNs <= request.FromTimeNs;
                if (trades.Count >= maxTrades)
                {
                    return new BackfillFetch(trades, reachedStart.Value);
                }

                trades.Add(trade);
            }

            if (page.ContinuationToken.Length == 0 || trades.Count >= maxTrades)
            {
                return new BackfillFetch(trades, reachedStart ?? false);
            }

            call = new TradesRequest
            {
                Exchange = call.Exchange,
                InstrumentClass = call.InstrumentClass,
                Code = call.Code,
                ContinuationToken = page.ContinuationToken,
            };
        }
    }

    public void Dispose() => _ownedChannel?.Dispose();

    private async Task<TradesResponse> CallAsync(TradesRequest call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(
                async (state, ct) => await state.Client.GetTradesAsync(state.Call, state.Headers, cancellationToken: ct).ConfigureAwait(false),
                (Client: _client, Call: call, Headers: _headers), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new BackfillException(FrameReason.VenueError, $"{What}: {ex.StatusCode} {ex.Status.Detail}", System.Text.Encoding.UTF8.GetBytes(ex.Status.Detail), ex);
        }
    }

    /// <summary>One trade as the live decoder converts it; anything it rejects, or another instrument, fails the page.</summary>
    internal MarketEvent Decode(MarketUpdate update, BackfillRequest request, long receiveTimeNs)
    {
        var outcome = AggregatorDecoder.Convert(update, _refData, receiveTimeNs, out var trade, out var detail);
        if (outcome.Status != FrameStatus.Decoded)
        {
            throw new BackfillException(outcome.Reason, $"{What}: {detail}", update.ToByteArray());
        }

        if (trade.Instrument != request.Instrument)
        {
            throw new BackfillException(FrameReason.UnknownSymbol, $"{What}: a trade of {update.Exchange}:{update.Class}:{update.Code}, not {request.Symbol}",
                update.ToByteArray());
        }

        return trade;
    }

    private static ResiliencePipeline CreatePipeline(BackfillHttpOptions options, TimeProvider time) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<RpcException>(static e => e.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded
                        or StatusCode.Aborted or StatusCode.Internal)
                    .Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

    private static AggregatorProviderOptions Checked(AggregatorProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }
}
