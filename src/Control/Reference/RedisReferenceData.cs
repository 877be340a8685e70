using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cloudwall.Rx.Control.Commands;
using Cloudwall.Rx.Core;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Cloudwall.Rx.Control.Reference;

/// <summary>One instrument's metadata as stored in the reference-data hash (field = canonical key, value = this as JSON).</summary>
public sealed record InstrumentMetadata
{
    public required string Key { get; init; }

    /// <summary>The instrument class: spot, perp, future, option, index, composite. Must match the key's suffix.</summary>
    public required string Class { get; init; }

    /// <summary>Decimal string.</summary>
    public string? TickSize { get; init; }

    /// <summary>Decimal string: contract size or multiplier for derivatives.</summary>
    public string? ContractSize { get; init; }

    /// <summary>What one contract is worth in, e.g. "BTC" (inverse) or "USD" (linear).</summary>
    public string? ContractUnit { get; init; }

    /// <summary>Venue name → that venue's symbol.</summary>
    public Dictionary<string, string> Symbols { get; init; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public decimal? Tick => PayloadValidator.TryDecimal(TickSize, out var d) ? d : null;

    [JsonIgnore]
    public decimal? Contract => PayloadValidator.TryDecimal(ContractSize, out var d) ? d : null;
}

/// <summary>The loaded reference data: an immutable catalog at one version. Read it freely; it never touches Redis.</summary>
public sealed record ReferenceCatalog(long Version, ImmutableSortedDictionary<string, InstrumentMetadata> Instruments)
{
    public static ReferenceCatalog Empty { get; } = new(0, ImmutableSortedDictionary.Create<string, InstrumentMetadata>(StringComparer.Ordinal));
}

public enum ReloadOutcome
{
    Loaded,
    AlreadyLoaded,
}

/// <summary>
/// Instrument metadata in Redis: hash <c>&lt;prefix&gt;:instruments</c> (field: canonical key; value: <see cref="InstrumentMetadata"/>
/// JSON) and string <c>&lt;prefix&gt;:version</c>. Loaded at start into <see cref="ReferenceData"/> and <see cref="Catalog"/>,
/// then reloaded only when a reload-reference-data command names a newer version. Consumers read memory only.
/// </summary>
public sealed class RedisReferenceData
{
    private readonly IDatabase _db;
    private readonly ReferenceData _target;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile ReferenceCatalog _catalog = ReferenceCatalog.Empty;

    public RedisReferenceData(IDatabase db, ReferenceData target, ILogger logger, string prefix = DefaultPrefix)
    {
        _db = db;
        _target = target;
        _logger = logger;
        InstrumentsKey = prefix + ":instruments";
        VersionKey = prefix + ":version";
    }

    public const string DefaultPrefix = "cloudwall:refdata";

    public string InstrumentsKey { get; }

    public string VersionKey { get; }

    public ReferenceCatalog Catalog => _catalog;

    public long LoadedVersion => _catalog.Version;

    /// <summary>Loads whatever version is stored (start-up).</summary>
    public Task<long> LoadAsync(CancellationToken ct = default) => LoadCoreAsync(0, ct);

    /// <summary>Loads <paramref name="version"/> or newer. Already loaded: nothing happens. Not yet published: throws.</summary>
    public async Task<ReloadOutcome> ReloadAsync(long version, CancellationToken ct = default)
    {
        if (_catalog.Version >= version) return ReloadOutcome.AlreadyLoaded;
        await LoadCoreAsync(version, ct).ConfigureAwait(false);
        return ReloadOutcome.Loaded;
    }

    private async Task<long> LoadCoreAsync(long required, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (required > 0 && _catalog.Version >= required) return _catalog.Version;

            // One transaction, so the version and the hash are read from the same moment.
            var tx = _db.CreateTransaction();
            var versionTask = tx.StringGetAsync(VersionKey);
            var hashTask = tx.HashGetAllAsync(InstrumentsKey);
            if (!await tx.ExecuteAsync().ConfigureAwait(false)) throw new InvalidOperationException("reference-data read transaction did not run");
            var versionValue = await versionTask.ConfigureAwait(false);
            var stored = versionValue.TryParse(out long v) ? v : 0;
            if (stored < required)
            {
                throw new InvalidOperationException($"reference data version {required} is not published yet ({VersionKey} is {stored})");
            }

            var entries = await hashTask.ConfigureAwait(false);
            var parsed = new List<(InstrumentSpec Spec, InstrumentMetadata Meta)>(entries.Length);
            foreach (var e in entries)
            {
                var field = e.Name.ToString();
                InstrumentMetadata? meta;
                try
                {
                    meta = JsonSerializer.Deserialize(e.Value.ToString(), ReferenceJsonContext.Default.InstrumentMetadata);
                }
                catch (JsonException ex)
                {
                    throw new FormatException($"{InstrumentsKey}[{field}]: not instrument metadata JSON: {ex.Message}");
                }

                parsed.Add(Check(field, meta));
            }

            // All entries checked before any is applied: a bad hash changes nothing.
            var symbols = 0;
            foreach (var (spec, meta) in parsed)
            {
                _target.Intern(spec);
                foreach (var (venue, symbol) in meta.Symbols)
                {
                    _target.Map(VenueId.Parse(venue), symbol, spec);
                    symbols++;
                }
            }

            _catalog = new ReferenceCatalog(stored, parsed.ToImmutableSortedDictionary(p => p.Meta.Key, p => p.Meta, StringComparer.Ordinal));
            ControlLog.ReferenceDataLoaded(_logger, stored, parsed.Count, symbols);
            return stored;
        }
        finally
        {
            _gate.Release();
        }
    }

    private (InstrumentSpec, InstrumentMetadata) Check(string field, InstrumentMetadata? meta)
    {
        var where = $"{InstrumentsKey}[{field}]";
        if (meta is null) throw new FormatException($"{where}: null");
        if (meta.Key != field) throw new FormatException($"{where}.key: '{meta.Key}' differs from the hash field");
        if (!PayloadValidator.IsCanonicalKey(field) || !InstrumentSpec.TryParseKey(field, out var spec)) throw new FormatException($"{where}: not a canonical instrument key");
        if (spec!.Market.ToText() != meta.Class) throw new FormatException($"{where}.class: '{meta.Class}' does not match the key (expected '{spec.Market.ToText()}')");
        if (meta.TickSize is not null && meta.Tick is not > 0) throw new FormatException($"{where}.tick_size: not a positive decimal string");
        if (meta.ContractSize is not null && meta.Contract is not > 0) throw new FormatException($"{where}.contract_size: not a positive decimal string");
        foreach (var (venue, symbol) in meta.Symbols)
        {
            if (!VenueId.TryParse(venue, out _)) throw new FormatException($"{where}.symbols.{venue}: unknown venue");
            if (string.IsNullOrWhiteSpace(symbol) || symbol.Length > 128) throw new FormatException($"{where}.symbols.{venue}: empty or too long");
        }

        return (spec, meta);
    }

    /// <summary>Publishes a full reference-data set under <paramref name="version"/> atomically (tools and tests).</summary>
    public static async Task PublishAsync(IDatabase db, IEnumerable<InstrumentMetadata> instruments, long version, string prefix = DefaultPrefix)
    {
        var entries = instruments.Select(i => new HashEntry(i.Key, JsonSerializer.Serialize(i, ReferenceJsonContext.Default.InstrumentMetadata))).ToArray();
        var tx = db.CreateTransaction();
        _ = tx.KeyDeleteAsync(prefix + ":instruments");
        if (entries.Length > 0) _ = tx.HashSetAsync(prefix + ":instruments", entries);
        _ = tx.StringSetAsync(prefix + ":version", version);
        await tx.ExecuteAsync().ConfigureAwait(false);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InstrumentMetadata))]
internal sealed partial class ReferenceJsonContext : JsonSerializerContext;
