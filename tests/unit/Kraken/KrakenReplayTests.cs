using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Tests.Unit.TestSupport;
using static Cloudwall.Rx.Tests.Unit.Kraken.KrakenRecordings;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

/// <summary>The recordings through <see cref="Replay"/> by their replay names, as <c>cloudwall-rx replay</c> runs them.</summary>
public sealed class KrakenReplayTests
{
    [RecordedTheory]
    [InlineData("kraken", V1Trades, new[] { "decoded=8 ignored=41 rejected=0 events=10", "threw=0", "ignored.heartbeat=31", "ignored.subscription_ack=10" })]
    [InlineData("kraken", V1Ticker, new[] { "decoded=18 ignored=42 rejected=0 events=18", "threw=0", "ignored.heartbeat=32", "ignored.subscription_ack=10" })]
    [InlineData("kraken", V1Book, new[] { "decoded=0 ignored=4321 rejected=0 events=0", "threw=0", "ignored.heartbeat=32", "ignored.subscription_ack=10", "ignored.book_update=4279" })]
    [InlineData("kraken-futures", Futures, new[] { "decoded=120 ignored=7055 rejected=0 events=1110", "threw=0", "ignored.heartbeat=1", "ignored.subscription_ack=30", "ignored.book_update=7024" })]
    public void Replay_summarizes_every_frame(string venue, string file, string[] summary)
    {
        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate(venue, refData, out var decoder));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = Replay.Run(decoder, refData, RecordedFiles.PathOf(file), stdout, stderr);

        Assert.Equal(Replay.ExitOk, exit);
        Assert.Equal(summary, stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(int.Parse(summary[0].Split("events=")[1], System.Globalization.CultureInfo.InvariantCulture),
            stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
