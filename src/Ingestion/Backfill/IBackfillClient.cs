namespace Cloudwall.Rx.Ingestion.Backfill;

/// <summary>
/// A venue's public REST API for recent trades: fetches back what a <see cref="BackfillRequest"/> describes. One
/// implementation per venue (and per product line where the endpoints differ), written against the venue's current
/// documentation (docs/venues.md, "Back-fill"). Called by one <see cref="BackfillCoordinator"/>, one request at a time.
/// </summary>
public interface IBackfillClient
{
    /// <summary>
    /// True when the venue numbers each instrument's trades consecutively, live and on REST in the same id space (Binance
    /// trade and aggregate ids, Coinbase trade ids...): the count lost is then known, and what REST no longer serves is
    /// counted as missing. False for venues with random ids (UUIDs) or gaps in their numbering: those are filled by time.
    /// </summary>
    bool ConsecutiveIds { get; }

    /// <summary>
    /// The symbol the venue's REST API names an instrument by (<see cref="BackfillRequest.Symbol"/>), or null when it has
    /// none (the break is then not fetched). By default the venue symbol reference data holds for it.
    /// </summary>
    string? SymbolOf(ReferenceData refData, InstrumentId instrument, VenueId venue) => refData.VenueSymbol(instrument, venue);

    /// <summary>
    /// Fetches the instrument's trades in the request's interval, bounds included (the coordinator removes the bounds and
    /// anything delivered live), paging as the venue requires, at most <paramref name="maxTrades"/>. Events are trades of
    /// <see cref="BackfillRequest.Instrument"/> with the venue, provider, exchange time, price, size, side and trade id set,
    /// and <paramref name="receiveTimeNs"/> as their receive time; order does not matter.
    /// </summary>
    /// <exception cref="BackfillException">The venue answered with an error or something that could not be decoded.</exception>
    Task<BackfillFetch> FetchAsync(BackfillRequest request, int maxTrades, long receiveTimeNs, CancellationToken cancellationToken);
}

/// <summary>What a back-fill client fetched.</summary>
/// <param name="Trades">The trades found in the interval (bounds included).</param>
/// <param name="ReachedStart">
/// False when the venue's history no longer reaches back to the start of the interval (its oldest trade served is later
/// than the interval's start): whatever lies before it is lost for good.
/// </param>
public readonly record struct BackfillFetch(IReadOnlyList<MarketEvent> Trades, bool ReachedStart = true);

/// <summary>
/// A REST answer a back-fill client could not use: an error status, a venue error code in the body, or a body that does not
/// decode. Carries the body for the dead letter.
/// </summary>
public sealed class BackfillException(FrameReason reason, string message, byte[]? body = null, Exception? inner = null)
    : Exception(message, inner)
{
    public FrameReason Reason { get; } = reason;

    /// <summary>The response body (or its start), for the dead letter; empty when there was none.</summary>
    public byte[] Body { get; } = body ?? [];
}
