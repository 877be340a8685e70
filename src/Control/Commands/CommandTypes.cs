using System.Collections.Frozen;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>The allow-list of command types. Anything else is rejected with <see cref="RejectReasons.UnknownType"/>.</summary>
public static class CommandTypes
{
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";
    public const string SetPricing = "set-pricing";
    public const string SetDetector = "set-detector";
    public const string PauseProvider = "pause-provider";
    public const string ResumeProvider = "resume-provider";
    public const string ReloadReferenceData = "reload-reference-data";
    public const string SnapshotState = "snapshot-state";

    public static readonly FrozenSet<string> All = new[]
    {
        Subscribe, Unsubscribe, SetPricing, SetDetector, PauseProvider, ResumeProvider, ReloadReferenceData, SnapshotState,
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True for the types that change the desired state (all but <see cref="SnapshotState"/>).</summary>
    public static bool ChangesState(string type) => type != SnapshotState;
}

/// <summary>Rejection reason codes: the first word of <see cref="CommandResult.Reason"/>, and the label of the rejection counter.</summary>
public static class RejectReasons
{
    public const string InvalidEnvelope = "invalid-envelope";
    public const string Unsigned = "unsigned";
    public const string UnknownKey = "unknown-key";
    public const string BadSignature = "bad-signature";
    public const string Skew = "skew";
    public const string Replay = "replay";
    public const string NonceCacheFull = "nonce-cache-full";
    public const string UnknownType = "unknown-type";
    public const string InvalidPayload = "invalid-payload";
    public const string StaleVersion = "stale-version";
    public const string Conflict = "conflict";
    public const string ApplyFailed = "apply-failed";
    public const string BadState = "bad-state";
    public const string Unavailable = "unavailable";
    public const string Forbidden = "forbidden";

    /// <summary>
    /// The reasons given before a signature was verified, in a fixed order (an index for per-reason arrays). Their sender is
    /// unknown, so they are counted and their log lines rate-limited, but never published or audited: anyone could send them.
    /// </summary>
    public static readonly IReadOnlyList<string> Unauthenticated = [InvalidEnvelope, Unsigned, UnknownKey, BadSignature];
}
