using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Venues.Aggregator;
using Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WireSide = Cloudwall.Rx.Ingestion.Venues.Aggregator.Protocol.Side;

namespace Cloudwall.Rx.Tests.Unit.Aggregator;

/// <summary>
/// Ingress accounting (issue 18, part 1) on the aggregator's stream: each message counts its serialized size once, for the
/// venue of the event decoded from it (Binance derivatives on their own venues, as the events are), else the venue its exchange
/// code names, else none (heartbeats, unknown exchanges).
/// </summary>
public sealed class AggregatorIngressTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 1, TimeSpan.Zero);

    [Fact]
    public void Every_message_counts_its_serialized_size_for_the_venue_of_its_event()
    {
        var coinbase = Update("cbse", "spot", "btc-usd", "65000.10", 1);
        var usdm = Update("binc", "perpetual-future", "btc-usdt", "65010.5", 2);
        var badKraken = Update("krkn", "spot", "btc-usd", "not-a-price", 3);
        var unknown = Update("zzzz", "spot", "btc-usd", "65000", 4);
        var heartbeat = new StreamMessage { Heartbeat = new Heartbeat { Ts = Timestamp.FromDateTimeOffset(Now), LastSequenceId = 4 } };
        var coinbase2 = Update("cbse", "spot", "btc-usd", "65000.20", 5);
        StreamMessage[] script = [coinbase, usdm, badKraken, unknown, heartbeat, coinbase2];

        var refData = new ReferenceData();
        AggregatorCodes.Register(refData);
        var counters = new IngestionCounters();
        var events = new List<MarketEvent>();
        var options = new AggregatorProviderOptions { StaleAfter = Timeout.InfiniteTimeSpan };
        var client = new StreamMarketData.StreamMarketDataClient(new ScriptedInvoker(script));
        using (var stream = new AggregatorStream(0, client, options, refData, new Sink(events), _ => { }, null, counters, new FakeTimeProvider(Now),
                   NullLogger.Instance))
        {
            stream.Start(["cbse:spot:btc-usd"]);
            // The call ends after the script and the stream backs off on the fake clock, which never moves: one call only.
            Assert.True(SpinWait.SpinUntil(() => counters.Reconnects == 1, TimeSpan.FromSeconds(20)), $"{counters.Frames} of {script.Length} messages handled");
        }

        Assert.Equal(3, events.Count);
        Assert.Equal(coinbase.CalculateSize() + coinbase2.CalculateSize(), counters.Ingress(VenueId.Coinbase).Bytes);
        Assert.Equal(2, counters.Ingress(VenueId.Coinbase).Frames);
        Assert.Equal(usdm.CalculateSize(), counters.Ingress(VenueId.BinanceUsdm).Bytes);
        Assert.Equal(badKraken.CalculateSize(), counters.Ingress(VenueId.Kraken).Bytes); // refused, and still paid for
        Assert.Equal(unknown.CalculateSize() + heartbeat.CalculateSize(), counters.Ingress(VenueId.None).Bytes);
        Assert.Equal(2, counters.Ingress(VenueId.None).Frames);
        Assert.Equal(script.Sum(m => (long)m.CalculateSize()), counters.ReceivedBytes);
        Assert.Equal(script.Length, counters.ReceivedFrames);
        Assert.Equal([VenueId.None, VenueId.Coinbase, VenueId.Kraken, VenueId.BinanceUsdm], counters.IngressByVenue().Select(v => v.Venue));
    }

    private static StreamMessage Update(string exchange, string instrumentClass, string code, string price, ulong sequence) => new()
    {
        Update = new MarketUpdate
        {
            Exchange = exchange,
            Class = instrumentClass,
            Code = code,
            Id = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Price = price,
            Amount = "0.01",
            Side = WireSide.Buy,
            TsExchange = Timestamp.FromDateTimeOffset(Now.AddMilliseconds(-5)),
            TsCollection = Timestamp.FromDateTimeOffset(Now.AddMilliseconds(-1)),
            SequenceId = sequence,
        },
    };

    private sealed class Sink(List<MarketEvent> events) : IObserver<MarketEvent>
    {
        public void OnNext(MarketEvent value) => events.Add(value);
        public void OnError(Exception error) => throw error;
        public void OnCompleted()
        {
        }
    }

    /// <summary>Answers the server-streaming call with the script, then ends the stream as a server would.</summary>
    private sealed class ScriptedInvoker(IReadOnlyList<StreamMessage> script) : CallInvoker
    {
        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host,
            CallOptions options, TRequest request) =>
            new(new Reader<TResponse>(script.Cast<TResponse>().ToList()), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options,
            TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method,
            string? host, CallOptions options) => throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method,
            string? host, CallOptions options) => throw new NotSupportedException();
    }

    private sealed class Reader<T>(List<T> messages) : IAsyncStreamReader<T>
    {
        private int _next = -1;

        public T Current => messages[_next];

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++_next < messages.Count);
    }
}
