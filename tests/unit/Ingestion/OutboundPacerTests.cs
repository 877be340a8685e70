using Cloudwall.Rx.Ingestion.Transport;
using Cloudwall.Rx.Ingestion.Venues.Binance;
using Microsoft.Extensions.Time.Testing;

namespace Cloudwall.Rx.Tests.Unit.Ingestion;

/// <summary>Outgoing control frames stay within a venue's messages-per-second limit, in order, under virtual time.</summary>
public sealed class OutboundPacerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly List<(string Frame, DateTimeOffset At)> _sent = [];

    private OutboundPacer Pacer(int rate) => new(rate, f => _sent.Add((f, _time.GetUtcNow())), _time);

    private static string[] Frames(int n, string prefix = "f") => [.. Enumerable.Range(0, n).Select(i => $"{prefix}{i}")];

    [Fact]
    public void A_burst_goes_out_at_the_venue_rate_in_order()
    {
        using var pacer = Pacer(5);
        pacer.Send(Frames(12));

        Assert.Equal(5, _sent.Count); // the first second's budget at once
        Assert.Equal(7, pacer.Queued);

        _time.Advance(OutboundPacer.Window - TimeSpan.FromMilliseconds(1));
        Assert.Equal(5, _sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(10, _sent.Count);
        _time.Advance(OutboundPacer.Window);
        Assert.Equal(12, _sent.Count);
        Assert.Equal(0, pacer.Queued);

        Assert.Equal(Frames(12), _sent.Select(s => s.Frame));
        for (var i = 5; i < _sent.Count; i++)
        {
            // No second (with its jitter margin) ever holds more than five frames.
            Assert.True(_sent[i].At - _sent[i - 5].At >= OutboundPacer.Window, $"frame {i} breaks the rate");
        }
    }

    [Fact]
    public void Frames_spread_over_time_use_a_sliding_window()
    {
        using var pacer = Pacer(5);
        pacer.Send(Frames(3, "a"));
        _time.Advance(TimeSpan.FromMilliseconds(600));
        pacer.Send(Frames(4, "b")); // two fit in this window, two wait until the a-frames are a window old

        Assert.Equal(5, _sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(5, _sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(7, _sent.Count);
        Assert.Equal(["a0", "a1", "a2", "b0", "b1", "b2", "b3"], _sent.Select(s => s.Frame));
    }

    [Fact]
    public void Clear_drops_what_waits_for_the_old_socket()
    {
        using var pacer = Pacer(5);
        pacer.Send(Frames(8));
        pacer.Clear();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(5, _sent.Count);
        pacer.Send(Frames(1, "after"));
        Assert.Equal("after0", _sent[^1].Frame);
    }

    [Fact]
    public void A_change_past_the_queue_bound_is_refused_whole()
    {
        using var pacer = Pacer(5);
        var error = Assert.Throws<InvalidOperationException>(() => pacer.Send(Frames(OutboundPacer.MaxQueuedFrames + 6)));

        Assert.Contains("RejectNew", error.Message, StringComparison.Ordinal);
        Assert.Empty(_sent);
        Assert.Equal(0, pacer.Queued);
    }

    [Theory]
    [InlineData(BinanceMarket.Spot, 5)]
    [InlineData(BinanceMarket.UsdM, 10)]
    [InlineData(BinanceMarket.CoinM, 10)]
    public void Binance_declares_its_documented_message_rate(BinanceMarket market, int rate)
    {
        Assert.Equal(rate, new BinanceProtocol(market).MaxMessagesPerSecond);
    }
}
