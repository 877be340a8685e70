using BenchmarkDotNet.Attributes;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Ingestion.Venues.Coinbase;
using Cloudwall.Rx.Ingestion.Venues.CoinbaseAdvanced;
using Cloudwall.Rx.Ingestion.Venues.Deribit;

namespace Cloudwall.Rx.Bench;

/// <summary>
/// Decoding batched trade frames: a Deribit <c>trades</c> notification (the documentation's trade, and a batch of three),
/// a Deribit option ticker (line 4 of the recording), and a Coinbase Advanced Trade <c>market_trades</c> batch of four.
/// Every method should report 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class DeribitDecodeBench
{
    internal static readonly byte[] DeribitTrade =
        """{"params":{"data":[{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10}],"channel":"trades.BTC-PERPETUAL.raw"},"method":"subscription","jsonrpc":"2.0"}"""u8.ToArray();

    private static readonly byte[] DeribitTradeBatch =
        """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"trades.BTC-PERPETUAL.raw","data":[{"trade_seq":30289442,"trade_id":"48079269","timestamp":1590484512188,"tick_direction":2,"price":8950,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"sell","amount":10},{"trade_seq":30289443,"trade_id":"48079270","timestamp":1590484512189,"tick_direction":0,"price":8950.5,"mark_price":8948.9,"instrument_name":"BTC-PERPETUAL","index_price":8955.88,"direction":"buy","amount":1200},{"trade_seq":30289444,"trade_id":"48079271","timestamp":1590484512190,"tick_direction":1,"price":8950.5,"mark_price":8949.1,"instrument_name":"BTC-PERPETUAL","index_price":8955.9,"direction":"buy","amount":30}]}}"""u8.ToArray();

    private static readonly byte[] DeribitOptionTicker =
        """{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.ETH-30JUL21-2800-C.raw","data":{"underlying_price":2003.61,"underlying_index":"ETH-30JUL21","timestamp":1626993723632,"stats":{"volume":869.0,"price_change":0.0,"low":0.0015,"high":0.0025},"state":"open","settlement_price":0.0,"open_interest":12685.0,"min_price":0.0001,"max_price":0.025,"mark_price":0.001972,"mark_iv":120.74,"last_price":0.002,"interest_rate":0.0,"instrument_name":"ETH-30JUL21-2800-C","index_price":2006.72,"greeks":{"vega":0.20072,"theta":-1.64029,"rho":0.01188,"gamma":0.0002,"delta":0.03127},"estimated_delivery_price":2006.72,"bid_iv":115.62,"best_bid_price":0.0015,"best_bid_amount":4714.0,"best_ask_price":0.0025,"best_ask_amount":873.0,"ask_iv":143.38}}}"""u8.ToArray();

    private static readonly byte[] AdvancedMarketTrades =
        """{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":1,"events":[{"type":"update","trades":[{"trade_id":"12345","product_id":"BTC-USD","price":"21932.98","size":"0.00100000","side":"SELL","time":"2023-02-09T20:19:35.123456789Z"},{"trade_id":"12346","product_id":"BTC-USD","price":"21933.00","size":"0.5","side":"BUY","time":"2023-02-09T20:19:35.2Z"},{"trade_id":"98765","product_id":"ETH-USD","price":"1260.01","size":"2","side":"SELL","time":"2023-02-09T20:19:35.3Z"}]},{"type":"update","trades":[{"trade_id":"12347","product_id":"BTC-USD","price":"21933.01","size":"0.01","side":"BUY","time":"2023-02-09T20:19:35.39Z"}]}]}"""u8.ToArray();

    private const long ReceiveNs = 1_626_993_723_804_855_000;

    private readonly EventBuffer _output = new();
    private DeribitDecoder _deribit = null!;
    private CoinbaseAdvancedDecoder _advanced = null!;

    [GlobalSetup]
    public void Setup()
    {
        var refData = new ReferenceData();
        DeribitSymbols.Register(refData);
        CoinbaseSymbols.Register(refData);
        _deribit = new DeribitDecoder(refData);
        _advanced = new CoinbaseAdvancedDecoder(refData);
        Expect(_deribit.Decode(DeribitTrade, ReceiveNs, _output), 1);
        Expect(_deribit.Decode(DeribitTradeBatch, ReceiveNs, _output), 3);
        Expect(_deribit.Decode(DeribitOptionTicker, ReceiveNs, _output), 3);
        Expect(_advanced.Decode(AdvancedMarketTrades, ReceiveNs, _output), 4);
    }

    [Benchmark(Baseline = true)]
    public int DeribitTradeFrame()
    {
        _output.Clear();
        return _deribit.Decode(DeribitTrade, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DeribitTradeBatchOf3()
    {
        _output.Clear();
        return _deribit.Decode(DeribitTradeBatch, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int DeribitOptionTickerFrame()
    {
        _output.Clear();
        return _deribit.Decode(DeribitOptionTicker, ReceiveNs, _output).Events;
    }

    [Benchmark]
    public int CoinbaseAdvancedMarketTradesOf4()
    {
        _output.Clear();
        return _advanced.Decode(AdvancedMarketTrades, ReceiveNs, _output).Events;
    }

    private static void Expect(FrameOutcome outcome, int events)
    {
        if (outcome != FrameOutcome.Decoded(events))
        {
            throw new InvalidOperationException($"benchmark frame decodes as {outcome}, expected {events} events");
        }
    }
}
