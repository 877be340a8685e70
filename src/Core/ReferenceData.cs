using System.Collections.Concurrent;

namespace Cloudwall.Rx.Core;

/// <summary>Derives a canonical instrument from a venue symbol, or returns null for a symbol the venue grammar does not know.</summary>
public delegate InstrumentSpec? SymbolRule(string venueSymbol);

/// <summary>
/// The reference-data registry: interns canonical instruments and maps each venue's symbols to them.
/// Reads are lock-free and allocation-free on the hot path; a new instrument or symbol takes a lock once. The store of
/// instruments grows by doubling (amortized O(1) per new instrument) and is capped at <see cref="MaxInstruments"/>: past the
/// cap a new instrument is refused (a decoder then reports the symbol as unknown), counted in <see cref="RefusedInstruments"/>,
/// and <see cref="CapacityReached"/> is raised once.
/// </summary>
public sealed class ReferenceData
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Instrument> _byKey = new(StringComparer.Ordinal);
    // Slots [0, _count) are published; id 0 is "none". The array is replaced (doubled) before _count moves past its end, so a
    // reader that sees a count also sees an array holding that many slots.
    private volatile Instrument[] _byId = new Instrument[16];
    private int _count = 1;
    private long _refused;
    private int _capacityReported;
    private readonly ConcurrentDictionary<string, InstrumentId>[] _symbols = new ConcurrentDictionary<string, InstrumentId>[SymbolSpace.Count];
    private readonly ConcurrentDictionary<string, InstrumentId>.AlternateLookup<ReadOnlySpan<char>>[] _symbolLookups =
        new ConcurrentDictionary<string, InstrumentId>.AlternateLookup<ReadOnlySpan<char>>[SymbolSpace.Count];
    private readonly ConcurrentDictionary<(int Instrument, byte Venue), string> _venueSymbol = new();
    private readonly SymbolRule?[] _rules = new SymbolRule?[SymbolSpace.Count];
    // Symbols a rule refused, so a flood of one bad symbol costs a lookup, not a rule call and a string each time. Bounded.
    private readonly ConcurrentDictionary<string, byte>[] _misses = new ConcurrentDictionary<string, byte>[SymbolSpace.Count];
    private readonly ConcurrentDictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>>[] _missLookups =
        new ConcurrentDictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>>[SymbolSpace.Count];

    /// <summary>At most this many refused symbols are remembered per venue.</summary>
    public const int MaxRememberedMisses = 4096;
    private int _version;

    /// <summary>The default of <see cref="MaxInstruments"/> (configuration key <c>Ingestion:MaxInstruments</c>).</summary>
    public const int DefaultMaxInstruments = 100_000;

    public ReferenceData(int maxInstruments = DefaultMaxInstruments)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInstruments);
        MaxInstruments = maxInstruments;
        for (var i = 0; i < _symbols.Length; i++)
        {
            _symbols[i] = new ConcurrentDictionary<string, InstrumentId>(StringComparer.Ordinal);
            _symbolLookups[i] = _symbols[i].GetAlternateLookup<ReadOnlySpan<char>>();
            _misses[i] = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            _missLookups[i] = _misses[i].GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>Incremented on every change; consumers compare it to know when to refresh caches.</summary>
    public int Version => Volatile.Read(ref _version);

    public int Count => Volatile.Read(ref _count) - 1;

    /// <summary>The most instruments this registry interns; further ones are refused.</summary>
    public int MaxInstruments { get; }

    /// <summary>New instruments refused because the registry was full (each distinct refused venue symbol is counted once).</summary>
    public long RefusedInstruments => Interlocked.Read(ref _refused);

    /// <summary>Raised once, with <see cref="MaxInstruments"/>, by the first instrument refused for capacity (the host logs it).</summary>
    public event Action<int>? CapacityReached;

    public IEnumerable<Instrument> Instruments
    {
        get
        {
            var n = Volatile.Read(ref _count);
            return _byId.Take(n).Skip(1);
        }
    }

    /// <summary>Sets the grammar that derives instruments from a venue's symbols when no explicit mapping exists.</summary>
    public void SetRule(SymbolSpace space, SymbolRule rule) => _rules[space.Index] = rule;

    /// <summary>Interns an instrument, returning the existing one when its key is already known.</summary>
    /// <exception cref="InvalidOperationException">The instrument is new and the registry holds <see cref="MaxInstruments"/>.</exception>
    public Instrument Intern(InstrumentSpec spec) => TryIntern(spec, out var inst) ? inst
        : throw new InvalidOperationException($"reference data is full ({MaxInstruments} instruments, Ingestion:MaxInstruments): {spec.Key} refused");

    /// <summary>Interns an instrument; false (counted) when it is new and the registry is full.</summary>
    public bool TryIntern(InstrumentSpec spec, out Instrument instrument)
    {
        var key = spec.Key;
        if (_byKey.TryGetValue(key, out instrument!))
        {
            return true;
        }

        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out instrument!))
            {
                return true;
            }

            var n = _count;
            if (n - 1 >= MaxInstruments)
            {
                Interlocked.Increment(ref _refused);
                if (Interlocked.Exchange(ref _capacityReported, 1) == 0)
                {
                    CapacityReached?.Invoke(MaxInstruments);
                }

                return false;
            }

            var ids = _byId;
            if (n == ids.Length)
            {
                var next = new Instrument[ids.Length * 2];
                ids.CopyTo(next, 0);
                _byId = ids = next;
            }

            instrument = new Instrument(new InstrumentId(n), key, spec);
            ids[n] = instrument;
            Volatile.Write(ref _count, n + 1);
            _byKey[key] = instrument;
            Interlocked.Increment(ref _version);
            return true;
        }
    }

    /// <summary>Maps a venue symbol to an instrument explicitly (reference data), overriding any rule.</summary>
    /// <exception cref="InvalidOperationException">The instrument is new and the registry is full.</exception>
    public Instrument Map(SymbolSpace space, string venueSymbol, InstrumentSpec spec) =>
        TryMap(space, venueSymbol, spec, out var inst) ? inst
            : throw new InvalidOperationException($"reference data is full ({MaxInstruments} instruments, Ingestion:MaxInstruments): {spec.Key} refused");

    private bool TryMap(SymbolSpace space, string venueSymbol, InstrumentSpec spec, out Instrument inst)
    {
        if (!TryIntern(spec, out inst))
        {
            return false;
        }

        _symbols[space.Index][venueSymbol] = inst.Id;
        _misses[space.Index].TryRemove(venueSymbol, out _);
        _venueSymbol.TryAdd((inst.Id.Value, space.Venue.Code), venueSymbol);
        Interlocked.Increment(ref _version);
        return true;
    }

    public Instrument Get(InstrumentId id)
    {
        return TryGet(id, out var instrument) ? instrument : throw new KeyNotFoundException($"instrument id {id.Value}");
    }

    public bool TryGet(InstrumentId id, out Instrument instrument)
    {
        // Count before array: the array read after a count holds at least that many slots.
        var n = Volatile.Read(ref _count);
        if (id.Value > 0 && id.Value < n)
        {
            instrument = _byId[id.Value];
            return true;
        }

        instrument = null!;
        return false;
    }

    public bool TryGetByKey(string key, out Instrument instrument) => _byKey.TryGetValue(key, out instrument!);

    /// <summary>Finds an instrument by canonical key, interning it when the key is well formed.</summary>
    public bool TryResolveKey(string key, out Instrument instrument)
    {
        if (_byKey.TryGetValue(key, out instrument!))
        {
            return true;
        }

        return InstrumentSpec.TryParseKey(key, out var spec) && TryIntern(spec!, out instrument);
    }

    /// <summary>Resolves a venue symbol given as UTF-8 bytes. Allocation-free once the symbol has been seen.</summary>
    public bool TryResolve(SymbolSpace space, ReadOnlySpan<byte> symbolUtf8, out InstrumentId id)
    {
        id = InstrumentId.None;
        if (symbolUtf8.IsEmpty || symbolUtf8.Length > 128)
        {
            return false;
        }

        Span<char> chars = stackalloc char[symbolUtf8.Length];
        var n = System.Text.Encoding.UTF8.GetChars(symbolUtf8, chars);
        return TryResolve(space, chars[..n], out id);
    }

    public bool TryResolve(SymbolSpace space, ReadOnlySpan<char> symbol, out InstrumentId id)
    {
        if (_symbolLookups[space.Index].TryGetValue(symbol, out id))
        {
            return true;
        }

        var rule = _rules[space.Index];
        if (rule is null || symbol.IsEmpty || _missLookups[space.Index].ContainsKey(symbol))
        {
            id = InstrumentId.None;
            return false;
        }

        var text = symbol.ToString();
        var spec = rule(text);
        if (spec is null || !TryMap(space, text, spec, out var inst))
        {
            // Unknown to the grammar, or refused because the registry is full: either way remembered, so a flood costs a lookup.
            if (_misses[space.Index].Count < MaxRememberedMisses)
            {
                _misses[space.Index].TryAdd(text, 0);
            }

            id = InstrumentId.None;
            return false;
        }

        id = inst.Id;
        return true;
    }

    /// <summary>The venue's own symbol for an instrument, when that venue has been seen or mapped.</summary>
    public string? VenueSymbol(InstrumentId id, VenueId venue) =>
        _venueSymbol.TryGetValue((id.Value, venue.Code), out var s) ? s : null;

    public string KeyOf(InstrumentId id) => TryGet(id, out var i) ? i.Key : "unknown";
}

/// <summary>
/// Where a venue symbol is looked up: the venue plus a sub-space for venues whose symbols collide across markets
/// (Bybit's <c>BTCUSDT</c> is a spot pair on one endpoint and a linear perpetual on another). Most venues use space 0.
/// </summary>
public readonly record struct SymbolSpace(VenueId Venue, byte Space = 0)
{
    public const int SpacesPerVenue = 4;
    public const int Count = 256 * SpacesPerVenue;

    public int Index => Venue.Code * SpacesPerVenue + (Space & (SpacesPerVenue - 1));

    public static implicit operator SymbolSpace(VenueId venue) => new(venue);
}
