using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Cloudwall.Rx.Simulation.Hosting;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Simulation.Aggregator;

/// <summary>
/// The simulator's <c>StreamMarketData</c> service: checks the bearer token and the criteria, registers the call with the feed,
/// and drains the call's bounded queue onto the response stream until the client goes away or the stream is aborted.
/// </summary>
internal sealed partial class AggregatorService : StreamMarketData.StreamMarketDataBase
{
    private readonly AggregatorFeed _feed;
    private readonly byte[]? _expectedAuthorization;
    private readonly ILogger _log;

    public AggregatorService(AggregatorFeed feed, string? token, ILogger log)
    {
        _feed = feed;
        _expectedAuthorization = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes("Bearer " + token);
        _log = log;
    }

    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<StreamMessage> responseStream, ServerCallContext context) =>
        ServeAsync(request.Criteria, bars: false, responseStream, context);

    /// <summary>The <c>bars</c> level: 1 s OHLCV/VWAP aggregates of the feed's own trades (<see cref="AggregatorFeed"/>).</summary>
    public override Task SubscribeAggregates(SubscribeAggregatesRequest request, IServerStreamWriter<StreamMessage> responseStream, ServerCallContext context)
    {
        if (!AggregatorDecoder.TryPeriod(request.Aggregate, out _) && Authorized(context.RequestHeaders.GetValue("authorization")))
        {
            _feed.Stats.CountProtocolError();
            throw new RpcException(new Status(StatusCode.InvalidArgument, "aggregate must be \"" + AggregatorDecoder.OneSecond + "\""));
        }

        return ServeAsync(request.Criteria, bars: true, responseStream, context);
    }

    /// <summary>
    /// One page of an instrument's trade history (<see cref="AggregatorFeed.History"/>), as the proto's <c>GetTrades</c> defines it;
    /// the <see cref="SimulatorFaults.FailRest"/> fault answers UNAVAILABLE (a 503) or RESOURCE_EXHAUSTED (a 429) first.
    /// </summary>
    public override Task<TradesResponse> GetTrades(TradesRequest request, ServerCallContext context)
    {
        if (!Authorized(context.RequestHeaders.GetValue("authorization")))
        {
            _feed.Stats.CountProtocolError();
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or invalid bearer token"));
        }

        if (_feed.TakeRestFailure() is { } failure)
        {
            throw new RpcException(new Status(failure == StatusCodes.Status429TooManyRequests ? StatusCode.ResourceExhausted : StatusCode.Unavailable,
                $"simulated HTTP {failure}"));
        }

        if (request.Exchange.Length == 0 || request.InstrumentClass.Length == 0 || request.Code.Length == 0
            || request.Exchange == AggregatorCriteria.Wildcard || request.InstrumentClass == AggregatorCriteria.Wildcard || request.Code == AggregatorCriteria.Wildcard)
        {
            throw Invalid("exchange, instrument_class and code are required, without wildcards");
        }

        var instrument = _feed.Find(request.Exchange, request.InstrumentClass, request.Code)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no instrument {request.Exchange}:{request.InstrumentClass}:{request.Code}"));
        var query = request.ContinuationToken.Length > 0 ? TradesQuery.Parse(request.ContinuationToken) ?? throw Invalid("continuation_token is not valid")
            : request.StartTime is null || request.EndTime is null ? throw Invalid("start_time and end_time are required")
            : request.PageSize > MaxPageSize ? throw Invalid($"page_size must be at most {MaxPageSize}")
            : request.Sort is not ("" or "asc" or "desc") ? throw Invalid("sort must be asc or desc")
            : AggregatorDecoder.TryNanos(request.StartTime, out var startNs) && AggregatorDecoder.TryNanos(request.EndTime, out var endNs)
                ? new TradesQuery(request.Sort == "asc", startNs, endNs, request.PageSize == 0 ? DefaultPageSize : (int)request.PageSize, null)
                : throw Invalid("start_time or end_time out of range");

        var key = instrument.Key;
        var take = query.PageSize + 1; // one more than the page says whether another page follows
        var rows = query.Ascending
            ? (query.LastId is { } after ? _feed.History.FromId(key, after + 1, take) : _feed.History.Between(key, query.StartNs, query.EndNs - 1, take))
            : (query.LastId is { } before ? _feed.History.BeforeId(key, before, take) : _feed.History.Between(key, query.StartNs, query.EndNs - 1, take, newestFirst: true));
        var page = rows.Where(t => t.TimeNs >= query.StartNs && t.TimeNs < query.EndNs).ToList();
        var response = new TradesResponse();
        response.Trades.AddRange(page.Take(query.PageSize).Select(t => t.Update));
        if (page.Count > query.PageSize)
        {
            response.ContinuationToken = (query with { LastId = page[query.PageSize - 1].Id }).Token();
        }

        return Task.FromResult(response);

        RpcException Invalid(string message)
        {
            _feed.Stats.CountProtocolError();
            return new RpcException(new Status(StatusCode.InvalidArgument, message));
        }
    }

    private async Task ServeAsync(IReadOnlyList<InstrumentCriteria> criteria, bool bars, IServerStreamWriter<StreamMessage> responseStream, ServerCallContext context)
    {
        if (!Authorized(context.RequestHeaders.GetValue("authorization")))
        {
            _feed.Stats.CountProtocolError();
            LogRefused(_log, context.Peer);
            throw new RpcException(new Status(StatusCode.Unauthenticated, "missing or invalid bearer token"));
        }

        if (criteria.Count == 0 || criteria.Any(c => c.Exchange.Length == 0 || c.InstrumentClass.Length == 0 || c.Code.Length == 0))
        {
            _feed.Stats.CountProtocolError();
            throw new RpcException(new Status(StatusCode.InvalidArgument, "criteria need exchange, instrument_class and code (each may be \"*\")"));
        }

        var stream = _feed.Open(criteria, bars, context.Peer, () => context.GetHttpContext().Abort());
        try
        {
            var ct = context.CancellationToken;
            while (await stream.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (stream.Reader.TryRead(out var message))
                {
                    await responseStream.WriteAsync(message, ct).ConfigureAwait(false);
                    stream.CountSent();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException && context.CancellationToken.IsCancellationRequested)
        {
            // The client went away, or the stream was aborted on purpose.
        }
        finally
        {
            _feed.Close(stream);
        }
    }

    private bool Authorized(string? header)
    {
        if (_expectedAuthorization is null)
        {
            return true;
        }

        if (header is null)
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(header);
        return CryptographicOperations.FixedTimeEquals(given, _expectedAuthorization);
    }

    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;

    /// <summary>A <c>GetTrades</c> query and how far it has been served: what its continuation token carries.</summary>
    private sealed record TradesQuery(bool Ascending, long StartNs, long EndNs, int PageSize, long? LastId)
    {
        public string Token() => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', Ascending ? "asc" : "desc", StartNs, EndNs, PageSize, LastId)));

        public static TradesQuery? Parse(string token)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|');
                return parts.Length == 5 && parts[0] is "asc" or "desc"
                    ? new TradesQuery(parts[0] == "asc", long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
                        int.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture))
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }

    [LoggerMessage(EventId = 7701, Level = LogLevel.Debug, Message = "Aggregator simulator refused a call from {Peer}: bad or missing token")]
    private static partial void LogRefused(ILogger logger, string peer);
}

/// <summary>
/// One open call: its criteria (resolved to the instruments they match), its bounded queue and its sequence. Enqueue is
/// serialized per stream by a lock, so sequence numbers are contiguous in queue order; an update dropped on a full queue keeps
/// its number, so the client sees the loss as a gap.
/// </summary>
internal sealed class AggregatorSubscriberStream
{
    private readonly Lock _gate = new();
    private readonly Channel<StreamMessage> _queue;
    private readonly Action _abort;
    private long _sequence;
    private long _sent;
    private long _dropped;

    public AggregatorSubscriberStream(long id, string peer, DateTimeOffset openedAt, IReadOnlyList<string> criteria, bool[] matches, int capacity,
        Action abort, DateTimeOffset firstHeartbeat, bool bars = false)
    {
        Id = id;
        Bars = bars;
        Peer = peer;
        OpenedAt = openedAt;
        Criteria = criteria;
        Matches = matches;
        NextHeartbeat = firstHeartbeat;
        _abort = abort;
        _queue = Channel.CreateBounded<StreamMessage>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: a full queue refuses, and the refusal is counted
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public long Id { get; }

    /// <summary>A <c>SubscribeAggregates</c> call: it gets aggregates, never trades.</summary>
    public bool Bars { get; }

    public string Peer { get; }

    public DateTimeOffset OpenedAt { get; }

    public IReadOnlyList<string> Criteria { get; }

    /// <summary>Per instrument index of the feed: whether this stream's criteria select it.</summary>
    public bool[] Matches { get; }

    /// <summary>Touched only by the feed loop.</summary>
    public DateTimeOffset NextHeartbeat { get; set; }

    public ChannelReader<StreamMessage> Reader => _queue.Reader;

    public long Sent => Interlocked.Read(ref _sent);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void CountSent() => Interlocked.Increment(ref _sent);

    /// <summary>Numbers a copy of <paramref name="template"/> (1 + <paramref name="skip"/> after the previous) and queues it.</summary>
    public void EnqueueUpdate(MarketUpdate template, long skip)
    {
        lock (_gate)
        {
            _sequence += 1 + skip;
            var update = template.Clone();
            update.SequenceId = (ulong)_sequence;
            if (!_queue.Writer.TryWrite(new StreamMessage { Update = update }))
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    /// <summary>Takes <paramref name="count"/> sequence numbers without sending anything, as messages lost on the way would.</summary>
    public void SkipNumbers(long count)
    {
        lock (_gate)
        {
            _sequence += count;
        }
    }

    /// <summary>Numbers a copy of <paramref name="template"/> after the previous message and queues it.</summary>
    public void EnqueueAggregate(AggregateUpdate template)
    {
        lock (_gate)
        {
            var aggregate = template.Clone();
            aggregate.SequenceId = (ulong)++_sequence;
            if (!_queue.Writer.TryWrite(new StreamMessage { Aggregate = aggregate }))
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    public void EnqueueHeartbeat(Google.Protobuf.WellKnownTypes.Timestamp ts)
    {
        lock (_gate)
        {
            if (!_queue.Writer.TryWrite(new StreamMessage { Heartbeat = new Heartbeat { Ts = ts, LastSequenceId = (ulong)_sequence } }))
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    /// <summary>Resets the HTTP/2 stream without a trailer, as a dropped connection does.</summary>
    public void Abort()
    {
        _queue.Writer.TryComplete();
        try
        {
            _abort();
        }
        catch (ObjectDisposedException)
        {
            // The call already ended and its HTTP context was recycled: there is nothing left to reset.
        }
    }

    public void Complete() => _queue.Writer.TryComplete();

    public VenueConnectionStats Snapshot() => new(Id, Peer, OpenedAt, Sent, Dropped, 1, Criteria);

    public static bool[] Resolve(IReadOnlyList<InstrumentCriteria> criteria, IReadOnlyList<AggregatorSyntheticInstrument> instruments)
    {
        var matches = new bool[instruments.Count];
        for (var i = 0; i < instruments.Count; i++)
        {
            var s = instruments[i];
            matches[i] = criteria.Any(c => AggregatorCriteria.Matches(c, s.Exchange, s.Class, s.Code));
        }

        return matches;
    }
}
