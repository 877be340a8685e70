using Microsoft.Extensions.Logging;

namespace Cloudwall.Rx.Control;

/// <summary>Control-plane log messages. No field ever carries key material or passwords.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(8001, LogLevel.Information, "Control command {CommandId} ({Type}) version {Version} by key {KeyId}: {Status}")]
    public static partial void Submitted(ILogger logger, string? commandId, string? type, long version, string? keyId, string status);

    [LoggerMessage(8002, LogLevel.Warning, "Control command {CommandId} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string? commandId, string? reason);

    [LoggerMessage(8020, LogLevel.Warning, "Unauthenticated control command rejected ({Code}): {Reason}; not audited ({Suppressed} more since the last line)")]
    public static partial void RejectedUnauthenticated(ILogger logger, string code, string reason, long suppressed);

    [LoggerMessage(8003, LogLevel.Information, "Applied control state version {Version} (was {Previous}): {Changes} subscription change(s)")]
    public static partial void Applied(ILogger logger, long version, long previous, int changes);

    [LoggerMessage(8004, LogLevel.Error, "Applying control state version {Version} failed; keeping version {Current} and skipping it until a newer one: {Reason}")]
    public static partial void ApplyFailed(ILogger logger, Exception? ex, long version, long current, string reason);

    [LoggerMessage(8005, LogLevel.Error, "Refusing stored control state: {Problem}")]
    public static partial void BadState(ILogger logger, string problem);

    [LoggerMessage(8006, LogLevel.Warning, "Control Redis connection lost ({ConnectionType} {Endpoint}): {Failure}")]
    public static partial void ConnectionFailed(ILogger logger, string connectionType, string? endpoint, string failure);

    [LoggerMessage(8007, LogLevel.Information, "Control Redis connection restored ({ConnectionType} {Endpoint}); re-reading the desired state")]
    public static partial void ConnectionRestored(ILogger logger, string connectionType, string? endpoint);

    [LoggerMessage(8008, LogLevel.Warning, "Reading the control state failed; keeping version {Version}")]
    public static partial void ReadFailed(ILogger logger, Exception ex, long version);

    [LoggerMessage(8009, LogLevel.Information, "Shards changed: gained [{Gained}], lost [{Lost}], now [{Owned}]")]
    public static partial void ShardsChanged(ILogger logger, string gained, string lost, string owned);

    [LoggerMessage(8010, LogLevel.Warning, "Shard group error: {Reason}")]
    public static partial void ShardError(ILogger logger, string reason);

    [LoggerMessage(8011, LogLevel.Information, "Loaded reference data version {Version}: {Instruments} instrument(s), {Symbols} venue symbol(s)")]
    public static partial void ReferenceDataLoaded(ILogger logger, long version, int instruments, int symbols);

    [LoggerMessage(8012, LogLevel.Warning, "Control signal handling failed")]
    public static partial void SignalFailed(ILogger logger, Exception ex);

    [LoggerMessage(8014, LogLevel.Error, "Undoing part of a failed control apply failed; the instance may differ from both versions until the next apply")]
    public static partial void RollBackFailed(ILogger logger, Exception ex);

    [LoggerMessage(8013, LogLevel.Warning, "Control store write failed: {What} (check the Redis ACL: docs/control-plane.md)")]
    public static partial void StoreWriteFailed(ILogger logger, Exception ex, string what);
}
