using System.Text;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Coinbase;

/// <summary>The recorded-feed line format (lives with the Coinbase tests, its first user).</summary>
public sealed class RecordedFeedReaderTests
{
    private const string Url = "wss://ws-feed.pro.coinbase.com";

    [Fact]
    public void ParsesOpenSentAndReceivedLinesWithExactTimes()
    {
        var content = string.Join("\n",
            $"{Url} <-> 1618677816.8434298",
            $"{Url} <- 1618677817.020616: {{\"type\":\"subscribe\",\"channels\":[\"matches\"]}}",
            "1618677817.1295161: {\"type\":\"match\",\"note\":\"a: b <- c\"}",
            "",
            "1618677817: {}\r",
            "1618677817.123456789123: []",
            "",
            "");

        var lines = RecordedFeedReader.Parse(Encoding.UTF8.GetBytes(content)).ToArray();

        Assert.Equal([RecordedLineKind.Open, RecordedLineKind.Sent, RecordedLineKind.Received, RecordedLineKind.Received, RecordedLineKind.Received],
            lines.Select(l => l.Kind));
        Assert.Equal([1, 2, 3, 5, 6], lines.Select(l => l.LineNumber));
        Assert.Equal(
            [1_618_677_816_843_429_800, 1_618_677_817_020_616_000, 1_618_677_817_129_516_100, 1_618_677_817_000_000_000, 1_618_677_817_123_456_789],
            lines.Select(l => l.TimeNs));
        Assert.All(lines, l => Assert.Equal(Url, l.Url));
        Assert.True(lines[0].Payload.IsEmpty);
        Assert.Equal("{\"type\":\"subscribe\",\"channels\":[\"matches\"]}", Text(lines[1]));
        Assert.Equal("{\"type\":\"match\",\"note\":\"a: b <- c\"}", Text(lines[2])); // split on the first ": " only
        Assert.Equal("{}", Text(lines[3])); // CR of a CRLF file is not payload
        Assert.Equal("[]", Text(lines[4]));
    }

    [Fact]
    public void ReceivedLinesBeforeAnyOpenHaveNoUrlAndLaterOpensSwitchIt()
    {
        var content = "1.5: {}\nwss://a <-> 2\n3: {}\nwss://b <-> 4\n5: {}\n";

        var lines = RecordedFeedReader.Parse(Encoding.UTF8.GetBytes(content)).ToArray();

        Assert.Equal([null, "wss://a", "wss://a", "wss://b", "wss://b"], lines.Select(l => l.Url));
        Assert.Equal(1_500_000_000, lines[0].TimeNs);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("1618677817.1 {}")]
    [InlineData("1618677817.x: {}")]
    [InlineData("16186.778.17: {}")]
    [InlineData("wss://a <-> soon")]
    [InlineData("wss://a <- 1618677817.0 {}")]
    [InlineData("wss://a -> 1618677817.0: {}")]
    public void ALineInNoKnownFormNamesTheSourceAndLine(string bad)
    {
        var content = Encoding.UTF8.GetBytes("wss://a <-> 1\n" + bad + "\n");

        var error = Assert.Throws<InvalidDataException>(() => RecordedFeedReader.Parse(content, "X.ws.1.0").ToArray());

        Assert.StartsWith("X.ws.1.0:2: not a recorded-feed line: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRepositoryRootIsTheFolderWithTheSolution()
    {
        var root = RecordedFeeds.FindRepoRoot();

        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, RecordedFeeds.SolutionFile)));
    }

    [RecordedFact(RecordedFiles.Coinbase)]
    public void LocateFindsTheRecordedFolder()
    {
        var folder = RecordedFeeds.Locate();

        Assert.NotNull(folder);
        Assert.True(File.Exists(Path.Combine(folder, "README.md")));
        Assert.Equal(Path.Combine(folder, RecordedFiles.Coinbase), RecordedFeeds.LocateFile(RecordedFiles.Coinbase));
        Assert.Null(RecordedFeeds.LocateFile("coinbase/NO-SUCH-FILE"));
    }

    private static string Text(RecordedLine line) => Encoding.UTF8.GetString(line.Payload.Span);
}
