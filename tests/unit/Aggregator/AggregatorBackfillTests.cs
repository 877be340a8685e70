using System.Collections.Concurrent;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Backfill;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Side = Cloudwall.Rx.Core.Side;
using WireSide = Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol.Side;

namespace Cloudwall.Rx.Tests.Unit.Aggregator;

/// <summary><see cref="AggregatorBackfill"/> over a scripted gRPC call invoker: decoding, paging by continuation token, retries, errors.</summary>
public sealed class AggregatorBackfillTests
{
    private const long ReceiveNs = 1_767_225_700_000_000_000;
    private const long T0 = 1_767_225_600_000_000_000; // 2026-01-01T00:00:00Z

    private static readonly ReferenceData RefData = NewRefData();

    private static ReferenceData NewRefData()
    {
        var r = new ReferenceData();
        AggregatorCodes.Register(r);
        return r;
    }

    private static MarketUpdate Trade(long id, long timeNs, string price = "65000.10", string exchange = "cbse", string code = "btc-usd") => new()
    {
        Exchange = exchange,
        Class = "spot",
        Code = code,
        Id = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Price = price,
        Amount = "0.01234500",
        Side = id % 2 == 0 ? WireSide.Buy : WireSide.Sell,
        TsExchange = AggregatorDecoder.ToTimestamp(timeNs),
        TsCollection = AggregatorDecoder.ToTimestamp(timeNs + 1_000_000),
    };

    private static BackfillRequest Request(long fromNs, long toNs, string symbol = "cbse:spot:btc-usd")
    {
        Assert.Equal(FrameStatus.Decoded, AggregatorDecoder.Convert(Trade(1, T0), RefData, 0, out var e, out _).Status);
        return new(ProviderId.Aggregator, VenueId.Coinbase, e.Instrument, symbol, 0, BackfillReason.SequenceGap, fromNs, TradeId.Numeric(1), toNs,
            TradeId.Numeric(2), toNs);
    }

    private static AggregatorBackfill Client(ScriptedInvoker invoker, int maxRetries = 3) =>
        new(invoker, new AggregatorProviderOptions { ApiToken = "secret" }, RefData,
            resilience: new BackfillHttpOptions { RetryDelay = TimeSpan.Zero, MaxRetries = maxRetries });

    [Fact]
    public async Task Trades_decode_as_the_stream_decodes_them_with_the_request_sent_as_the_proto_defines_it()
    {
        var invoker = new ScriptedInvoker(_ => new TradesResponse { Trades = { Trade(100, T0), Trade(101, T0 + 5_000) } });
        var fetch = await Client(invoker).FetchAsync(Request(T0, T0 + 5_000), 1000, ReceiveNs, CancellationToken.None);

        Assert.True(fetch.ReachedStart);
        Assert.Equal(2, fetch.Trades.Count);
        var t = fetch.Trades[0];
        Assert.Equal(EventKind.Trade, t.Kind);
        Assert.Equal(ProviderId.Aggregator, t.Provider);
        Assert.Equal(VenueId.Coinbase, t.Venue);
        Assert.Equal("BTC-USD.SPOT", RefData.KeyOf(t.Instrument));
        Assert.Equal("65000.10", t.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.01234500", t.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Side.Buy, t.Side);
        Assert.Equal(TradeId.Numeric(100), t.TradeId);
        Assert.Equal(T0, t.ExchangeTimeNs);
        Assert.Equal(ReceiveNs, t.ReceiveTimeNs);
        Assert.Equal(0, t.Sequence);

        var (call, headers) = Assert.Single(invoker.Calls);
        Assert.Equal(("cbse", "spot", "btc-usd"), (call.Exchange, call.InstrumentClass, call.Code));
        Assert.Equal(T0, Nanos(call.StartTime));
        Assert.Equal(T0 + 5_001, Nanos(call.EndTime)); // exclusive, so the end bound is in
        Assert.Equal((uint)AggregatorBackfill.PageSize, call.PageSize);
        Assert.Equal("asc", call.Sort);
        Assert.Equal("Bearer secret", headers.GetValue("authorization"));
    }

    [Fact]
    public async Task Later_pages_carry_only_the_continuation_token_until_it_is_empty()
    {
        var invoker = new ScriptedInvoker(call => call.ContinuationToken switch
        {
            "" => new TradesResponse { Trades = { Trade(1, T0), Trade(2, T0 + 1) }, ContinuationToken = "p2" },
            "p2" => new TradesResponse { Trades = { Trade(3, T0 + 2), Trade(4, T0 + 3) }, ContinuationToken = "p3" },
            _ => new TradesResponse { Trades = { Trade(5, T0 + 4) } },
        });
        var fetch = await Client(invoker).FetchAsync(Request(T0, T0 + 4), 1000, ReceiveNs, CancellationToken.None);

        Assert.Equal([1L, 2, 3, 4, 5], fetch.Trades.Select(t => t.TradeId.AsLong));
        Assert.Equal(["", "p2", "p3"], invoker.Calls.Select(c => c.Call.ContinuationToken));
        Assert.All(invoker.Calls.Skip(1), c => Assert.True(c.Call.StartTime is null && c.Call.PageSize == 0 && c.Call.Code == "btc-usd"));

        var capped = await Client(invoker).FetchAsync(Request(T0, T0 + 4), 3, ReceiveNs, CancellationToken.None);
        Assert.Equal([1L, 2, 3], capped.Trades.Select(t => t.TradeId.AsLong));
    }

    [Fact]
    public async Task History_that_starts_after_the_interval_does_not_reach_it()
    {
        var late = await Client(new ScriptedInvoker(_ => new TradesResponse { Trades = { Trade(7, T0 + 10) } }))
            .FetchAsync(Request(T0, T0 + 20), 1000, ReceiveNs, CancellationToken.None);
        Assert.False(late.ReachedStart);

        var none = await Client(new ScriptedInvoker(_ => new TradesResponse())).FetchAsync(Request(T0, T0 + 20), 1000, ReceiveNs, CancellationToken.None);
        Assert.False(none.ReachedStart);
        Assert.Empty(none.Trades);
    }

    [Theory]
    [InlineData("65,000.1x", "cbse", "btc-usd", FrameReason.Malformed)]
    [InlineData("0", "cbse", "btc-usd", FrameReason.InvalidPrice)]
    [InlineData("-1", "cbse", "btc-usd", FrameReason.InvalidPrice)]
    [InlineData("NaN", "cbse", "btc-usd", FrameReason.Malformed)]
    [InlineData("65000.1", "zzzz", "btc-usd", FrameReason.UnknownSymbol)]
    [InlineData("65000.1", "cbse", "eth-usd", FrameReason.UnknownSymbol)]
    public async Task A_trade_the_stream_would_reject_fails_the_page_with_its_reason_and_bytes(string price, string exchange, string code, FrameReason reason)
    {
        var bad = Trade(9, T0, price, exchange, code);
        var ex = await Assert.ThrowsAsync<BackfillException>(() => Client(new ScriptedInvoker(_ => new TradesResponse { Trades = { bad } }))
            .FetchAsync(Request(T0, T0 + 20), 1000, ReceiveNs, CancellationToken.None));

        Assert.Equal(reason, ex.Reason);
        Assert.Equal(bad, MarketUpdate.Parser.ParseFrom(ex.Body));
    }

    [Fact]
    public async Task Unavailable_and_resource_exhausted_are_retried_and_a_refusal_is_a_venue_error_at_once()
    {
        var failures = new Queue<StatusCode>([StatusCode.Unavailable, StatusCode.ResourceExhausted]);
        var flaky = new ScriptedInvoker(_ => failures.TryDequeue(out var code)
            ? throw new RpcException(new Status(code, "busy"))
            : new TradesResponse { Trades = { Trade(1, T0) } });
        var fetch = await Client(flaky).FetchAsync(Request(T0, T0 + 20), 1000, ReceiveNs, CancellationToken.None);
        Assert.Single(fetch.Trades);
        Assert.Equal(3, flaky.Calls.Count);

        var refused = new ScriptedInvoker(_ => throw new RpcException(new Status(StatusCode.NotFound, "no instrument cbse:spot:btc-usd")));
        var ex = await Assert.ThrowsAsync<BackfillException>(() => Client(refused).FetchAsync(Request(T0, T0 + 20), 1000, ReceiveNs, CancellationToken.None));
        Assert.Equal(FrameReason.VenueError, ex.Reason);
        Assert.Contains("NotFound", ex.Message, StringComparison.Ordinal);
        Assert.Single(refused.Calls);

        var down = new ScriptedInvoker(_ => throw new RpcException(new Status(StatusCode.Unavailable, "down")));
        Assert.Equal(FrameReason.VenueError, (await Assert.ThrowsAsync<BackfillException>(() =>
            Client(down, maxRetries: 2).FetchAsync(Request(T0, T0 + 20), 1000, ReceiveNs, CancellationToken.None))).Reason);
        Assert.Equal(3, down.Calls.Count);
    }

    [Fact]
    public async Task The_symbol_must_name_one_instrument_and_ids_are_not_consecutive()
    {
        var client = Client(new ScriptedInvoker(_ => new TradesResponse()));
        Assert.False(client.ConsecutiveIds);
        await Assert.ThrowsAsync<ArgumentException>(() => client.FetchAsync(Request(T0, T0 + 1, "cbse:spot:*"), 10, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => client.FetchAsync(Request(T0, T0 + 1, "btc-usd"), 10, 0, CancellationToken.None));
        Assert.Equal(AggregatorBackfill.CallsPerSecond, AggregatorBackfill.CreateBudget().Capacity);
    }

    private static long Nanos(Google.Protobuf.WellKnownTypes.Timestamp ts)
    {
        Assert.True(AggregatorDecoder.TryNanos(ts, out var ns));
        return ns;
    }

    /// <summary>Answers each unary <c>GetTrades</c> from a script and records the calls with their metadata.</summary>
    private sealed class ScriptedInvoker(Func<TradesRequest, TradesResponse> answer) : CallInvoker
    {
        private readonly ConcurrentQueue<(TradesRequest Call, Metadata Headers)> _calls = new();

        public IReadOnlyList<(TradesRequest Call, Metadata Headers)> Calls => [.. _calls];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options,
            TRequest request)
        {
            var call = Assert.IsType<TradesRequest>(request);
            _calls.Enqueue((call.Clone(), options.Headers ?? []));
            Task<TResponse> response;
            try
            {
                response = Task.FromResult((TResponse)(object)answer(call));
            }
            catch (RpcException ex)
            {
                response = Task.FromException<TResponse>(ex);
            }

            return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method,
            string? host, CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method,
            string? host, CallOptions options) => throw new NotSupportedException();
    }
}
