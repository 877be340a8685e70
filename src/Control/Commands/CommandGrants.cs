using System.Collections.Frozen;

namespace Cloudwall.Rx.Control.Commands;

/// <summary>What one signing key may sign (configuration <c>Control:Grants:&lt;keyId&gt;</c>).</summary>
public sealed class ControlGrant
{
    /// <summary>Command types the key may sign (<see cref="CommandTypes.All"/>), or <c>*</c> for every type.</summary>
    public List<string> Commands { get; set; } = [];

    /// <summary>
    /// Scopes the key's commands may touch: a subscription source (<c>coinbase</c>, <c>aggregator@kraken</c>), a provider,
    /// a pricing class or instrument, a detector name. Empty: any scope, and the commands that have none
    /// (<c>reload-reference-data</c>, <c>snapshot-state</c>).
    /// </summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>
/// The authorization table: key id → command types and scopes. Least privilege: a key without a grant signs nothing, and a
/// command outside its key's grant is refused as <see cref="RejectReasons.Forbidden"/>.
/// </summary>
public sealed class CommandGrants
{
    public const string Any = "*";

    private readonly FrozenDictionary<string, (bool AllTypes, FrozenSet<string> Types, FrozenSet<string>? Scopes)> _grants;

    public CommandGrants(IReadOnlyDictionary<string, ControlGrant> grants)
    {
        _grants = grants.ToFrozenDictionary(
            g => g.Key,
            g => (g.Value.Commands.Contains(Any),
                  g.Value.Commands.ToFrozenSet(StringComparer.Ordinal),
                  g.Value.Scopes.Count == 0 ? null : g.Value.Scopes.ToFrozenSet(StringComparer.Ordinal)),
            StringComparer.Ordinal);
    }

    /// <summary>No key may sign anything.</summary>
    public static CommandGrants None { get; } = new(new Dictionary<string, ControlGrant>());

    /// <summary>True when <paramref name="keyId"/> may sign <paramref name="command"/>; else <paramref name="reason"/> says why (without the grant's content).</summary>
    public bool Permits(string keyId, ControlCommand command, out string? reason)
    {
        if (!_grants.TryGetValue(keyId, out var grant) || !(grant.AllTypes || grant.Types.Contains(command.Type)))
        {
            reason = $"{RejectReasons.Forbidden}: key_id '{keyId}' may not sign '{command.Type}'";
            return false;
        }

        if (grant.Scopes is { } allowed)
        {
            var scopes = ScopesOf(command);
            if (scopes.Count == 0)
            {
                reason = $"{RejectReasons.Forbidden}: key_id '{keyId}' is limited to scopes, and '{command.Type}' applies to every scope";
                return false;
            }

            foreach (var scope in scopes)
            {
                if (!allowed.Contains(scope))
                {
                    reason = $"{RejectReasons.Forbidden}: key_id '{keyId}' may not sign '{command.Type}' for scope '{scope}'";
                    return false;
                }
            }
        }

        reason = null;
        return true;
    }

    /// <summary>The scopes a command touches; empty for the commands that apply to everything.</summary>
    public static IReadOnlyList<string> ScopesOf(ControlCommand command) => command switch
    {
        SubscriptionCommand s => [s.Source],
        ProviderPauseCommand p => [p.Provider],
        PricingCommand p => [.. p.Classes.Keys, .. p.Instruments.Keys],
        DetectorCommand d => [.. d.Detectors.Keys],
        _ => [],
    };
}
