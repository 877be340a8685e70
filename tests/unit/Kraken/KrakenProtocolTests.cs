using System.Text.Json;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion;
using Cloudwall.Rx.Ingestion.Recorded;
using Cloudwall.Rx.Ingestion.Venues.Kraken;

namespace Cloudwall.Rx.Tests.Unit.Kraken;

public sealed class KrakenProtocolTests
{
    [Fact]
    public void V2_subscribes_trade_without_and_ticker_with_snapshot_and_pings()
    {
        IVenueProtocol p = new KrakenV2Protocol();

        Assert.Equal(new Uri("wss://ws.kraken.com/v2"), p.DefaultEndpoint);
        Assert.Equal(VenueId.Kraken, p.Venue);
        Assert.Equal(100, p.MaxSymbolsPerConnection);
        Assert.Equal(SequenceScope.PerInstrumentAndKind, p.SequenceScope);
        Assert.Equal(("""{"method":"ping"}""", TimeSpan.FromSeconds(30)), p.KeepAlive);
        Assert.Equal(
            [
                """{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/USD"],"snapshot":false}}""",
                """{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD","ETH/USD"],"snapshot":true}}""",
            ],
            p.SubscribeFrames(["BTC/USD", "ETH/USD"]));
        Assert.Equal(
            [
                """{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD"]}}""",
                """{"method":"unsubscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}}""",
            ],
            p.UnsubscribeFrames(["BTC/USD"]));
        Assert.IsType<KrakenV2Decoder>(p.CreateDecoder(new ReferenceData()));
        Assert.Equal(7, new KrakenV2Protocol(maxSymbolsPerConnection: 7).MaxSymbolsPerConnection);
    }

    [Fact]
    public void V1_subscribes_by_pair_with_the_event_ping()
    {
        IVenueProtocol p = new KrakenV1Protocol();

        Assert.Equal(new Uri("wss://ws.kraken.com"), p.DefaultEndpoint);
        Assert.Equal(SequenceScope.None, p.SequenceScope);
        Assert.Equal("""{"event":"ping"}""", p.KeepAlive!.Value.Frame);
        Assert.Equal(
            [
                """{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"trade"}}""",
                """{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"ticker"}}""",
            ],
            p.SubscribeFrames(["XBT/USD"]));
        Assert.Equal("""{"event":"unsubscribe","pair":["XBT/USD"],"subscription":{"name":"trade"}}""", p.UnsubscribeFrames(["XBT/USD"])[0]);
    }

    [Fact]
    public void Futures_subscribes_by_product_and_keeps_alive_with_the_heartbeat_feed()
    {
        IVenueProtocol p = new KrakenFuturesProtocol();

        Assert.Equal(new Uri("wss://futures.kraken.com/ws/v1"), p.DefaultEndpoint);
        Assert.Equal(VenueId.KrakenFutures, p.Venue);
        Assert.Equal(ProviderId.KrakenFutures, p.Provider);
        Assert.Equal(SequenceScope.PerInstrumentAndKind, p.SequenceScope);
        Assert.Equal(["""{"event":"subscribe","feed":"heartbeat"}"""], p.ConnectFrames());
        Assert.Equal("""{"event":"subscribe","feed":"heartbeat"}""", p.KeepAlive!.Value.Frame);
        Assert.True(p.KeepAlive!.Value.Interval < TimeSpan.FromSeconds(60));
        Assert.Equal(
            [
                """{"event":"subscribe","feed":"trade","product_ids":["PI_XBTUSD","FI_XBTUSD_210924"]}""",
                """{"event":"subscribe","feed":"ticker","product_ids":["PI_XBTUSD","FI_XBTUSD_210924"]}""",
            ],
            p.SubscribeFrames(["PI_XBTUSD", "FI_XBTUSD_210924"]));
        Assert.Equal("""{"event":"unsubscribe","feed":"ticker","product_ids":["PI_XBTUSD"]}""", p.UnsubscribeFrames(["PI_XBTUSD"])[1]);
    }

    [Fact]
    public void Every_frame_is_valid_json()
    {
        IVenueProtocol[] all = [new KrakenV1Protocol(), new KrakenV2Protocol(), new KrakenFuturesProtocol()];
        foreach (var p in all)
        {
            foreach (var f in p.SubscribeFrames(["A\"B"]).Concat(p.UnsubscribeFrames(["X/Y"])).Append(p.KeepAlive!.Value.Frame))
            {
                using var _ = JsonDocument.Parse(f);
            }
        }
    }

    [Theory]
    [InlineData("kraken", typeof(KrakenV1Decoder), "XBT/USD", "BTC-USD.SPOT")]
    [InlineData("kraken-v2", typeof(KrakenV2Decoder), "BTC/USD", "BTC-USD.SPOT")]
    [InlineData("kraken-futures", typeof(KrakenFuturesDecoder), "PI_XBTUSD", "BTC-USD.PERP")]
    public void Replay_names(string name, Type decoderType, string symbol, string key)
    {
        var refData = new ReferenceData();
        Assert.True(ReplayVenues.TryCreate(name, refData, out var decoder));
        Assert.IsType(decoderType, decoder);
        Assert.Contains(name, ReplayVenues.Names);
        Assert.True(refData.TryResolve(decoder.Venue, System.Text.Encoding.UTF8.GetBytes(symbol), out var id));
        Assert.Equal(key, refData.KeyOf(id));
    }
}
