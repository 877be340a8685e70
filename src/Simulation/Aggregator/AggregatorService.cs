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
