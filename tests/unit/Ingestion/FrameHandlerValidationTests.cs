using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Cloudwall.Rx.Tests.Unit.Binance.BinanceFrames;

namespace Cloudwall.Rx.Tests.Unit.Ingestion;

/// <summary>
/// Bad input at the edges (issue 11, part 6): the central validation in <see cref="FrameHandler"/> removes only the bad
/// events of a frame, dead-letters and counts each by reason, and logs at most one line per reason per interval.
/// </summary>
public sealed class FrameHandlerValidationTests
{
    private const long Rx = ReceiveNs;
    private const long Second = 1_000_000_000L;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddTicks(Rx / 100));
    private readonly CapturingLogger _log = new();
    private readonly IngestionCounters _counters = new();
    private readonly List<DeadLetter> _deadLetters = [];
    private readonly ReferenceData _refData = new();
    private readonly InstrumentId _btc;

    public FrameHandlerValidationTests() =>
        _btc = _refData.Intern(new InstrumentSpec("BTC", "USD", MarketType.Spot)).Id;

    public static TheoryData<string, FrameReason> BadEvents() => new()
    {
        { "crossed quote", FrameReason.CrossedQuote },
        { "locked quote", FrameReason.CrossedQuote },
        { "trade size 0", FrameReason.InvalidSize },
        { "trade size negative", FrameReason.InvalidSize },
        { "quote ask size negative", FrameReason.InvalidSize },
        { "trade price 0", FrameReason.InvalidPrice },
        { "trade price negative", FrameReason.InvalidPrice },
        { "quote bid negative", FrameReason.InvalidPrice },
        { "quote bid 0 with a size", FrameReason.InvalidPrice },
        { "mark price 0", FrameReason.InvalidPrice },
        { "index price negative", FrameReason.InvalidPrice },
        { "trade 2 minutes in the future", FrameReason.TimestampFuture },
        { "trade 3 years in the past", FrameReason.TimestampPast },
        { "trade at a negative time", FrameReason.TimestampPast },
    };

    public static TheoryData<string> GoodEvents() => new()
    {
        "good trade",
        "quote with an empty bid side",
        "quote with a best price but no size",
        "negative funding",
        "trade 30 s in the future",
        "trade 8 h old (Kraken Futures trade_snapshot)",
        "trade without an exchange time",
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public void A_bad_event_is_removed_dead_lettered_and_counted_while_the_good_events_of_its_frame_pass(string name, FrameReason reason)
    {
        var handler = Handler(Good("good trade"), Bad(name), Good("negative funding"));

        var (outcome, delivered) = Handle(handler);

        Assert.Equal(FrameOutcome.Decoded(2), outcome);
        Assert.Equal(new[] { EventKind.Trade, EventKind.Funding }, delivered.Select(e => e.Kind));
        var letter = Assert.Single(_deadLetters);
        Assert.Equal(reason, letter.Reason);
        Assert.Equal(Rx, letter.ReceiveTimeNs);
        Assert.Equal("stub-frame"u8.ToArray(), letter.Raw);
        Assert.StartsWith("BTC-USD.SPOT ", letter.Detail);
        Assert.Equal(1, _counters.RejectedEventsByReason(reason));
        Assert.Equal(1, _counters.RejectedEvents);
        Assert.Equal(2, _counters.Events);
        Assert.Equal(1, _counters.DecodedFrames);
        Assert.Equal(0, _counters.RejectedFrames);
        Assert.Contains(reason.ToText(), Assert.Single(_log.Lines));
    }

    [Theory]
    [MemberData(nameof(GoodEvents))]
    public void A_legitimate_event_passes(string name)
    {
        var (outcome, delivered) = Handle(Handler(Good(name)));

        Assert.Equal(FrameOutcome.Decoded(1), outcome);
        Assert.Single(delivered);
        Assert.Empty(_deadLetters);
        Assert.Equal(0, _counters.RejectedEvents);
    }

    [Fact]
    public void The_dead_letter_names_the_values()
    {
        Handle(Handler(Bad("crossed quote")));
        Assert.Equal("BTC-USD.SPOT quote: bid 101 x 1, ask 100 x 2", Assert.Single(_deadLetters).Detail);

        _deadLetters.Clear();
        Handle(Handler(Bad("trade 2 minutes in the future")));
        Assert.Contains("exchange time 2021-10-12T00:30:44.0000000Z vs receive time 2021-10-12T00:28:44.0000000Z", Assert.Single(_deadLetters).Detail);
    }

    [Fact]
    public void Refused_events_reach_the_refused_callback_in_frame_order_so_they_still_take_their_sequence_number()
    {
        var handler = Handler(Good("good trade") with { Sequence = 1 }, Bad("trade size 0") with { Sequence = 2 }, Good("good trade") with { Sequence = 3 });
        var seen = new List<(long Sequence, bool Good)>();

        handler.Handle("stub-frame"u8, Rx, seen, static (l, in e) => l.Add((e.Sequence, true)), static (l, in e) => l.Add((e.Sequence, false)));
        Assert.Equal(new[] { (1L, true), (2L, false), (3L, true) }, seen);

        seen.Clear();
        Handler(Bad("crossed quote") with { Sequence = 4 }).Handle("stub-frame"u8, Rx, seen, static (l, in e) => l.Add((e.Sequence, true)),
            static (l, in e) => l.Add((e.Sequence, false)));
        Assert.Equal(new[] { (4L, false) }, seen); // a frame refused whole
    }

    [Fact]
    public void A_frame_whose_events_are_all_bad_is_rejected_with_the_first_reason_and_each_event_dead_lettered()
    {
        var (outcome, delivered) = Handle(Handler(Bad("trade size 0"), Bad("crossed quote")));

        Assert.Equal(FrameOutcome.Rejected(FrameReason.InvalidSize), outcome);
        Assert.Empty(delivered);
        Assert.Equal(new[] { FrameReason.InvalidSize, FrameReason.CrossedQuote }, _deadLetters.Select(d => d.Reason));
        Assert.Equal(1, _counters.RejectedFrames);
        Assert.Equal(1, _counters.ByReason(FrameReason.InvalidSize));
        Assert.Equal(2, _counters.RejectedEvents);
        Assert.Equal(0, _counters.Events);
    }

    [Fact]
    public void Bad_events_log_one_line_per_reason_per_interval_with_the_count_suppressed()
    {
        var handler = Handler(Bad("crossed quote"), Bad("crossed quote"), Bad("trade size 0"));
        Handle(handler);
        Handle(handler); // 3 more crossed or bad-size events within the interval
        Assert.Equal(2, _log.Lines.Count); // one per reason
        Assert.All(_log.Lines, l => Assert.Contains("(0 more since the last line)", l));

        _time.Advance(LogRateLimiter.DefaultInterval - TimeSpan.FromMilliseconds(1));
        Handle(handler);
        Assert.Equal(2, _log.Lines.Count);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Handle(handler);
        Assert.Equal(4, _log.Lines.Count);
        Assert.Contains("crossed_quote", _log.Lines[2]);
        Assert.Contains("(5 more since the last line)", _log.Lines[2]); // 1 + 2 + 2 since the first line
        Assert.Contains("invalid_size", _log.Lines[3]);
        Assert.Contains("(2 more since the last line)", _log.Lines[3]);
        Assert.Equal(12, _deadLetters.Count); // every bad event is still dead-lettered
        Assert.Equal(12, _counters.RejectedEvents);
    }

    [Fact]
    public void A_rejected_frame_is_logged_through_the_same_rate_limit()
    {
        var handler = new FrameHandler(new StubDecoder(FrameOutcome.Rejected(FrameReason.Malformed)), ProviderId.Binance, _counters, _deadLetters.Add,
            _log, time: _time);
        for (var i = 0; i < 3; i++)
        {
            handler.Handle("x"u8, Rx, 0, static (_, in _) => { });
        }

        Assert.Single(_log.Lines);
        _time.Advance(LogRateLimiter.DefaultInterval);
        handler.Handle("x"u8, Rx, 0, static (_, in _) => { });
        Assert.Equal(2, _log.Lines.Count);
        Assert.Contains("(2 more since the last line)", _log.Lines[1]);
        Assert.Equal(4, _deadLetters.Count);
        Assert.Equal(4, _counters.ByReason(FrameReason.Malformed));
    }

    [Fact]
    public void A_crossed_binance_book_ticker_is_rejected_and_the_next_frame_still_decodes()
    {
        var refData = NewRefData();
        var handler = new FrameHandler(new BinanceDecoder(refData, BinanceMarket.Spot), ProviderId.Binance, _counters, _deadLetters.Add, _log,
            refData: refData, time: _time);
        var crossed = """{"stream":"bnbusdt@bookTicker","data":{"u":400900217,"s":"BNBUSDT","b":"25.36520000","B":"31.21000000","a":"25.35190000","A":"40.66000000"}}""";
        var delivered = new List<MarketEvent>();

        Assert.Equal(FrameOutcome.Rejected(FrameReason.CrossedQuote), handler.Handle(Utf8(crossed), Rx, delivered, static (l, in e) => l.Add(e)));
        Assert.Equal(FrameOutcome.Decoded(1), handler.Handle(Utf8(Wrap("bnbusdt@bookTicker", DocBookTicker)), Rx, delivered, static (l, in e) => l.Add(e)));

        Assert.Equal(25.35190000m, Assert.Single(delivered).Price);
        var letter = Assert.Single(_deadLetters);
        Assert.Equal(FrameReason.CrossedQuote, letter.Reason);
        Assert.Equal("BNB-USDT.SPOT quote: bid 25.36520000 x 31.21000000, ask 25.35190000 x 40.66000000", letter.Detail);
        Assert.Equal(crossed, System.Text.Encoding.UTF8.GetString(letter.Raw));
        Assert.Equal(1, _counters.RejectedEventsByReason(FrameReason.CrossedQuote));
    }

    [Theory]
    [InlineData(120_000, FrameReason.TimestampFuture)] // 2 minutes ahead
    [InlineData(-3L * 365 * 86_400_000, FrameReason.TimestampPast)] // 3 years old
    [InlineData(-8L * 3_600_000, FrameReason.None)] // 8 hours old
    public void A_binance_trade_with_an_absurd_exchange_time_is_rejected(long offsetMs, FrameReason expected)
    {
        var handler = new FrameHandler(new BinanceDecoder(NewRefData(), BinanceMarket.Spot), ProviderId.Binance, _counters, _deadLetters.Add, _log,
            time: _time);
        var t = Rx / 1_000_000 + offsetMs;
        var frame = Utf8($$"""{"e":"trade","p":"1.5","q":"1","s":"BNBBTC","t":1,"T":{{t}},"m":false}""");

        var outcome = handler.Handle(frame, Rx, 0, static (_, in _) => { });

        Assert.Equal(expected == FrameReason.None ? FrameOutcome.Decoded(1) : FrameOutcome.Rejected(expected), outcome);
        Assert.Equal(expected == FrameReason.None ? 0 : 1, _counters.RejectedEventsByReason(expected));
    }

    [Fact]
    public void The_bounds_are_configurable()
    {
        var tight = new EventBounds { MaxFutureSkew = TimeSpan.FromSeconds(1), MaxAge = TimeSpan.FromHours(1) };
        var handler = new FrameHandler(new StubDecoder(FrameOutcome.Decoded(2), Good("trade 30 s in the future"), Good("trade 8 h old (Kraken Futures trade_snapshot)")),
            ProviderId.Binance, _counters, _deadLetters.Add, _log, tight, _refData, _time);

        Assert.Equal(FrameOutcome.Rejected(FrameReason.TimestampFuture), Handle(handler).Outcome);
        Assert.Equal(new[] { FrameReason.TimestampFuture, FrameReason.TimestampPast }, _deadLetters.Select(d => d.Reason));
        Assert.Equal(new[] { "Providers:x:MaxFutureSkew must be positive (was 00:00:00)" }, new EventBounds { MaxFutureSkew = TimeSpan.Zero }.Errors("Providers:x"));
    }

    [Fact]
    public void Good_frames_through_the_handler_allocate_nothing()
    {
        var refData = NewRefData();
        var handler = new FrameHandler(new BinanceDecoder(refData, BinanceMarket.Spot), ProviderId.Binance, _counters, _deadLetters.Add, _log,
            refData: refData, time: _time);
        var quote = Utf8(Wrap("bnbusdt@bookTicker", DocBookTicker));
        var trade = Utf8(Wrap("bnbbtc@trade", DocTrade));
        var box = new StrongBox();
        void Loop(int n)
        {
            for (var i = 0; i < n; i++)
            {
                handler.Handle(quote, Rx, box, static (b, in e) => b.Sum += e.Price);
                handler.Handle(trade, DocTradeReceiveNs, box, static (b, in e) => b.Sum += e.Price);
            }
        }

        Loop(200);
        Assert.Equal(0, TestSupport.Allocations.SteadyState(() => Loop(1000)));
        Assert.Empty(_deadLetters);
        Assert.Equal(0, _counters.RejectedEvents);
    }

    /// <summary>The trade of the documentation is from 2023; its receive time is a second later.</summary>
    private static long DocTradeReceiveNs => 1_672_515_783_136_000_000;

    private FrameHandler Handler(params MarketEvent[] events) =>
        new(new StubDecoder(FrameOutcome.Decoded(events.Length), events), ProviderId.Binance, _counters, _deadLetters.Add, _log, refData: _refData, time: _time);

    private static (FrameOutcome Outcome, List<MarketEvent> Delivered) Handle(FrameHandler handler)
    {
        var delivered = new List<MarketEvent>();
        var outcome = handler.Handle("stub-frame"u8, Rx, delivered, static (l, in e) => l.Add(e));
        return (outcome, delivered);
    }

    private MarketEvent Trade(decimal price, decimal size, long exchangeTimeNs = Rx - Second / 10) =>
        new() { Kind = EventKind.Trade, Instrument = _btc, Price = price, Size = size, ExchangeTimeNs = exchangeTimeNs, ReceiveTimeNs = Rx };

    private MarketEvent Quote(decimal bid, decimal bidSize, decimal ask, decimal askSize) =>
        new() { Kind = EventKind.Quote, Instrument = _btc, Price = bid, Size = bidSize, Aux = ask, AuxSize = askSize, ExchangeTimeNs = Rx, ReceiveTimeNs = Rx };

    private MarketEvent Of(EventKind kind, decimal price) =>
        new() { Kind = kind, Instrument = _btc, Price = price, ExchangeTimeNs = Rx, ReceiveTimeNs = Rx };

    private MarketEvent Good(string name) => name switch
    {
        "good trade" => Trade(100, 1),
        "quote with an empty bid side" => Quote(0, 0, 100, 2),
        "quote with a best price but no size" => Quote(99, 0, 100, 0),
        "negative funding" => Of(EventKind.Funding, -0.0003m),
        "trade 30 s in the future" => Trade(100, 1, Rx + 30 * Second),
        "trade 8 h old (Kraken Futures trade_snapshot)" => Trade(100, 1, Rx - 8 * 3600 * Second),
        "trade without an exchange time" => Trade(100, 1, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private MarketEvent Bad(string name) => name switch
    {
        "crossed quote" => Quote(101, 1, 100, 2),
        "locked quote" => Quote(100, 1, 100, 2),
        "trade size 0" => Trade(100, 0),
        "trade size negative" => Trade(100, -1),
        "quote ask size negative" => Quote(99, 1, 100, -2),
        "trade price 0" => Trade(0, 1),
        "trade price negative" => Trade(-1, 1),
        "quote bid negative" => Quote(-1, 1, 100, 2),
        "quote bid 0 with a size" => Quote(0, 1, 100, 2),
        "mark price 0" => Of(EventKind.Mark, 0),
        "index price negative" => Of(EventKind.Index, -5),
        "trade 2 minutes in the future" => Trade(100, 1, Rx + 120 * Second),
        "trade 3 years in the past" => Trade(100, 1, Rx - 3L * 365 * 86_400 * Second),
        "trade at a negative time" => Trade(100, 1, -1),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private sealed class StrongBox
    {
        public decimal Sum;
    }

    /// <summary>Returns the same events and outcome for every frame.</summary>
    private sealed class StubDecoder(FrameOutcome outcome, params MarketEvent[] events) : IFrameDecoder
    {
        public VenueId Venue => VenueId.Binance;

        public FrameOutcome Decode(ReadOnlySpan<byte> frame, long receiveTimeNs, EventBuffer output)
        {
            foreach (var e in events)
            {
                output.Add(e);
            }

            return outcome;
        }
    }
}

/// <summary>The validation refuses nothing real: every recorded frame of every venue passes it whole.</summary>
public sealed class RecordedFeedValidationTests
{
    [RecordedTheory]
    [InlineData("coinbase", "coinbase/COINBASE.ws.28.0")]
    [InlineData("kraken", "kraken/KRAKEN.ws.48.0")]
    [InlineData("kraken", "kraken/KRAKEN.ws.49.0")]
    [InlineData("kraken-futures", "kraken_futures/KRAKEN_FUTURES.ws.1.0")]
    [InlineData("binance", "binance/BINANCE.ws.1.0")]
    [InlineData("binance-us", "binance_us/BINANCE_US.ws.1.0")]
    [InlineData("binance-usdm", "binance_futures/BINANCE_FUTURES.ws.1.0")]
    [InlineData("binance-coinm", "binance_delivery/BINANCE_DELIVERY.ws.1.0")]
    [InlineData("bybit", "bybit/BYBIT.ws.25.0")]
    [InlineData("bybit", "bybit/BYBIT.ws.26.0")]
    [InlineData("okx", "okx/OKX.ws.1.0")]
    [InlineData("deribit", "deribit/DERIBIT.ws.1.0")]
    public void Every_recorded_event_passes_the_validation(string venue, string file)
    {
        var path = RecordedFeeds.LocateFile(file);
        Assert.NotNull(path);
        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate(venue, refData, out var decoder));
        var counters = new IngestionCounters();
        var deadLetters = new List<DeadLetter>();
        var handler = new FrameHandler(decoder, ProviderId.Direct(decoder.Venue), counters, deadLetters.Add, NullLogger.Instance, refData: refData);

        foreach (var line in RecordedFeedReader.ReadFile(path))
        {
            if (line.Kind == RecordedLineKind.Received)
            {
                handler.Handle(line.Payload.Span, line.TimeNs, 0, static (_, in _) => { });
            }
        }

        Assert.True(counters.Events > 0);
        Assert.Empty(deadLetters.Where(d => d.Detail is not null).Select(d => $"{d.Reason.ToText()}: {d.Detail}"));
        Assert.Equal(0, counters.RejectedEvents);
    }
}
