using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Unicode;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Cloudwall.Rx.Ingestion.Venues.Bybit;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.Deribit;
using Cloudwall.Rx.Ingestion.Venues.Kraken;
using Cloudwall.Rx.Ingestion.Venues.Okx;
using Cloudwall.Rx.Tests.Integration.Ingestion;
using Xunit.Abstractions;

namespace Cloudwall.Rx.Tests.Integration.Fuzzing;

/// <summary>
/// Mutated venue frames through the real transport: a loopback WebSocket server sends a pre-generated batch of
/// <see cref="FramesPerVenue"/> mutations of the venue's recorded feed as fast as the socket takes them, to a real
/// <see cref="WebSocketProvider"/> connection (Websocket.Client, the bounded receive, the frame handler, validation, series
/// checks). Nothing may crash: no decoder throws, the stream never errors, the connection is never dropped. Every frame is
/// accounted for: received = decoded + ignored + rejected, and every rejection has its dead letter.
/// </summary>
public sealed class VenueFrameFuzzTests(ITestOutputHelper output)
{
    /// <summary>Frames per venue. 100,000 is the bar of the hardening issue; the rate is printed per venue.</summary>
    public const int FramesPerVenue = 100_000;

    /// <summary>Seeds larger than this are left out, so that no mutation passes the message cap (tested on its own).</summary>
    private const int MaxSeedBytes = 16 * 1024;

    private static readonly FrameReason[] DecoderRejections =
        [FrameReason.Malformed, FrameReason.MissingField, FrameReason.UnknownSymbol, FrameReason.InvalidPrice, FrameReason.InvalidTimestamp,
         FrameReason.Oversized, FrameReason.VenueError];

    public static TheoryData<string> Venues() => new(["coinbase", "kraken", "kraken-futures", "binance", "binance-usdm", "okx", "bybit", "deribit"]);

    private static (IVenueProtocol Protocol, string Folder, string Replay, string Symbol) Setup(string venue) => venue switch
    {
        "coinbase" => (new CoinbaseExchangeProtocol(), "coinbase", VenueId.Coinbase.Name, "BTC-USD"),
        "kraken" => (new KrakenV1Protocol(), "kraken", VenueId.Kraken.Name, "XBT/USD"),
        "kraken-futures" => (new KrakenFuturesProtocol(), "kraken_futures", VenueId.KrakenFutures.Name, "PI_XBTUSD"),
        "binance" => (new BinanceProtocol(BinanceMarket.Spot), "binance", VenueId.Binance.Name, "BTCUSDT"),
        "binance-usdm" => (new BinanceProtocol(BinanceMarket.UsdM), "binance_futures", VenueId.BinanceUsdm.Name, "BTCUSDT"),
        "okx" => (new OkxProtocol(), "okx", VenueId.Okx.Name, "BTC-USDT"),
        "bybit" => (new BybitProtocol(BybitCategory.Linear), "bybit", VenueId.Bybit.Name, "BTCUSDT"),
        "deribit" => (new DeribitProtocol(), "deribit", VenueId.Deribit.Name, "BTC-PERPETUAL"),
        _ => throw new ArgumentOutOfRangeException(nameof(venue), venue, null),
    };

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task Mutated_frames_through_the_real_transport_crash_nothing_and_are_all_accounted_for(string venue)
    {
        var folder = RecordedFeeds.Locate();
        Assert.True(folder is not null, RecordedFeeds.MissingReason); // CI always has the recordings (.ci/run fails without them)
        var (protocol, sub, replay, symbol) = Setup(venue);
        var seeds = Directory.GetFiles(Path.Combine(folder!, sub), "*.ws.*")
            .SelectMany(RecordedFeedReader.ReadFile)
            .Where(l => l.Kind == RecordedLineKind.Received && l.Payload.Length is > 0 and <= MaxSeedBytes)
            .Select(l => l.Payload.ToArray())
            .ToList();
        Assert.NotEmpty(seeds);
        var mutator = new FrameMutator(seeds, seed: venue.GetHashCode(StringComparison.Ordinal) ^ 16);
        var frames = new byte[FramesPerVenue][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = mutator.Next();
        }

        await using var server = await RawSocketServer.StartAsync(async (socket, n, ct) =>
        {
            var drain = RawSocketServer.DrainUntilCloseAsync(socket, ct);
            if (n == 1)
            {
                foreach (var f in frames)
                {
                    // A bit flip can break UTF-8, which a text message may not carry: such a frame goes as binary, as a venue could send it.
                    var type = Utf8.IsValid(f) ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                    await socket.SendAsync(f, type, endOfMessage: true, ct);
                }
            }

            await drain;
        });

        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate(replay, refData, out _)); // installs the venue's symbol rules, as the host does
        var deadLetters = new ConcurrentQueue<DeadLetter>();
        var provider = new WebSocketProvider(protocol, server.Endpoint, [symbol], refData, deadLetters.Enqueue,
            new ConnectionOptions
            {
                // The recordings are years old: keep their events in the validator's window so decoded frames get through.
                Bounds = new EventBounds { MaxAge = TimeSpan.FromDays(20 * 365) },
                ReconnectDelay = TimeSpan.FromMilliseconds(50),
            });
        long events = 0;
        Exception? streamError = null;
        var clock = Stopwatch.StartNew();
        using (provider.Events.Subscribe(_ => Interlocked.Increment(ref events), ex => streamError = ex))
        {
            var c = provider.Counters;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (c.Frames < FramesPerVenue && streamError is null && c.Reconnects == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            clock.Stop();
            output.WriteLine($"{venue}: {c.Frames} frames in {clock.Elapsed.TotalSeconds:F1} s ({c.Frames / clock.Elapsed.TotalSeconds:F0}/s): " +
                $"{c.DecodedFrames} decoded ({c.Events} events), {c.IgnoredFrames} ignored, {c.RejectedFrames} rejected, {c.RejectedEvents} events refused, " +
                $"{deadLetters.Count} dead letters, {refData.Count} instruments");

            Assert.Null(streamError);
            Assert.Equal(0, c.Reconnects);
            Assert.Equal(0, c.DecoderExceptions);
            Assert.Equal(FramesPerVenue, c.Frames);
            Assert.Equal(c.Frames, c.DecodedFrames + c.IgnoredFrames + c.RejectedFrames);
            Assert.True(c.RejectedFrames > FramesPerVenue / 10, $"only {c.RejectedFrames} frames rejected: the mutations do not reach the decoder");
            var byDecoder = DecoderRejections.Sum(c.ByReason);
            Assert.Equal(byDecoder, deadLetters.Count(d => DecoderRejections.Contains(d.Reason)));
            Assert.Equal(c.RejectedEvents, deadLetters.Count(d => !DecoderRejections.Contains(d.Reason)));
            Assert.InRange(Interlocked.Read(ref events), 1, c.Events); // good events reached the stream (less the duplicates dropped)
        }
    }
}
