using Cloudwall.Rx.Core.Configuration;

namespace Cloudwall.Rx.Control;

/// <summary>Control-plane settings (configuration section <see cref="SectionName"/>).</summary>
public sealed class ControlOptions : ICheckedOptions
{
    public const string SectionName = "Control";

    /// <summary>This instance's name in results and in <c>cloudwall:control:applied:&lt;instance&gt;</c>. Empty: host name and process id.</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>
    /// Accepted HMAC keys by key id: <c>Control:Keys:&lt;id&gt;</c> is the name of an environment variable holding the key,
    /// or <c>file:/path</c> to a file holding it. The value is never the key itself, so configuration dumps carry no secret.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// What each key may sign: <c>Control:Grants:&lt;keyId&gt;:Commands:&lt;i&gt;</c> (a command type, or <c>*</c>) and optional
    /// <c>Control:Grants:&lt;keyId&gt;:Scopes:&lt;i&gt;</c> (sources, providers, pricing classes or instruments, detectors; none =
    /// any). Least privilege: a key without a grant signs nothing (<c>forbidden</c>).
    /// </summary>
    public Dictionary<string, Commands.ControlGrant> Grants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The grants as the authenticator checks them.</summary>
    public Commands.CommandGrants ResolvedGrants() => new(Grants);

    /// <summary>The key id this process signs with (the CLI, and the state documents a submission writes). Empty: the command's own key id.</summary>
    public string SigningKeyId { get; set; } = "";

    /// <summary>How far <c>issued_at</c> may be from now, either way. Nonces are remembered for twice this.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most nonces remembered in memory; when all are live, new commands are refused (fail closed).</summary>
    public int NonceCapacity { get; set; } = 100_000;

    /// <summary>Entries kept in the audit list.</summary>
    public int AuditCapacity { get; set; } = 1000;

    /// <summary>How long an instance's applied-version report lives; it is refreshed on every reconcile.</summary>
    public TimeSpan AppliedTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The desired state is re-read this often even without a signal (pub/sub can lose one).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    public string ResolvedInstanceId => InstanceId.Length > 0 ? InstanceId : $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}";

    /// <summary>Problems with the settings, each naming its key; empty when valid.</summary>
    public IEnumerable<string> Errors()
    {
        var errors = new List<string>();
        if (InstanceId.Length > 0 && !Commands.CommandEnvelope.KeyIdPattern().IsMatch(InstanceId))
            errors.Add($"{SectionName}:{nameof(InstanceId)} must be 1-64 characters of [A-Za-z0-9._-]");
        if (ClockSkew <= TimeSpan.Zero || ClockSkew > TimeSpan.FromHours(1))
            errors.Add($"{SectionName}:{nameof(ClockSkew)} must be within (0, 1h], was {ClockSkew}");
        if (NonceCapacity < 1) errors.Add($"{SectionName}:{nameof(NonceCapacity)} must be positive, was {NonceCapacity}");
        if (AuditCapacity < 1) errors.Add($"{SectionName}:{nameof(AuditCapacity)} must be positive, was {AuditCapacity}");
        if (AppliedTtl < TimeSpan.FromSeconds(1)) errors.Add($"{SectionName}:{nameof(AppliedTtl)} must be at least 1s, was {AppliedTtl}");
        if (ResyncInterval < TimeSpan.FromMilliseconds(100)) errors.Add($"{SectionName}:{nameof(ResyncInterval)} must be at least 100ms, was {ResyncInterval}");
        if (SigningKeyId.Length > 0 && !Keys.ContainsKey(SigningKeyId))
            errors.Add($"{SectionName}:{nameof(SigningKeyId)} '{SigningKeyId}' has no entry under {SectionName}:Keys");
        errors.AddRange(GrantErrors());
        return errors;
    }

    private IEnumerable<string> GrantErrors()
    {
        foreach (var (keyId, grant) in Grants)
        {
            var prefix = $"{SectionName}:{nameof(Grants)}:{keyId}";
            if (grant is null || grant.Commands.Count == 0)
            {
                yield return $"{prefix}:{nameof(Commands.ControlGrant.Commands)} must list command types or '*' (a key without a grant signs nothing)";
                continue;
            }

            foreach (var type in grant.Commands)
            {
                if (type != Commands.CommandGrants.Any && !Commands.CommandTypes.All.Contains(type))
                    yield return $"{prefix}:{nameof(Commands.ControlGrant.Commands)}: '{type}' is not a command type ({string.Join(", ", Commands.CommandTypes.All.Order(StringComparer.Ordinal))} or *)";
            }

            foreach (var scope in grant.Scopes)
            {
                if (string.IsNullOrWhiteSpace(scope) || scope == Commands.CommandGrants.Any)
                    yield return $"{prefix}:{nameof(Commands.ControlGrant.Scopes)}: '{scope}' is not a scope (leave Scopes out to allow any)";
            }

            if (Keys.Count > 0 && !Keys.ContainsKey(keyId))
                yield return $"{prefix} names no key under {SectionName}:Keys";
        }
    }
}

/// <summary>Redis connection settings for the control plane (section <see cref="SectionName"/>). Empty endpoints: the in-process bus.</summary>
public sealed class RedisControlOptions : ICheckedOptions
{
    public const string SectionName = "Control:Redis";

    /// <summary>Comma-separated <c>host:port</c> list. Empty means no Redis: use the in-process bus.</summary>
    public string Endpoints { get; set; } = "";

    /// <summary>ACL user name (Redis 6+). Empty: the default user.</summary>
    public string User { get; set; } = "";

    /// <summary>ACL password. Never logged; prefer an environment variable (Control__Redis__Password).</summary>
    public string Password { get; set; } = "";

    public bool Tls { get; set; }

    /// <summary>The host name the server certificate must carry when it differs from the endpoint's.</summary>
    public string TlsHost { get; set; } = "";

    public int ConnectTimeoutMs { get; set; } = 5000;

    public int SyncTimeoutMs { get; set; } = 5000;

    /// <summary>Prefix of every key and channel (see <see cref="ControlKeys"/>).</summary>
    public string KeyPrefix { get; set; } = "cloudwall:control";

    /// <summary>Channel that signals a change; default <c>&lt;KeyPrefix&gt;:commands</c>.</summary>
    public string CommandsChannel { get; set; } = "";

    /// <summary>Channel that results are published on; default <c>&lt;KeyPrefix&gt;:results</c>.</summary>
    public string ResultsChannel { get; set; } = "";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoints);

    public ControlKeys Keys => new(KeyPrefix, CommandsChannel, ResultsChannel);

    /// <summary>Problems with the settings, each naming its key; empty when valid or not configured (the in-process bus). Never includes the password.</summary>
    public IEnumerable<string> Errors()
    {
        var errors = new List<string>();
        if (!IsConfigured)
        {
            return errors;
        }

        foreach (var ep in Endpoints.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = ep.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(ep.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
                errors.Add($"{SectionName}:{nameof(Endpoints)} entry '{ep}' must be host:port");
        }

        if (User.Length > 0 && Password.Length == 0) errors.Add($"{SectionName}:{nameof(Password)} is required when {nameof(User)} is set");
        if (ConnectTimeoutMs is < 100 or > 120_000) errors.Add($"{SectionName}:{nameof(ConnectTimeoutMs)} must be within 100..120000, was {ConnectTimeoutMs}");
        if (SyncTimeoutMs is < 100 or > 120_000) errors.Add($"{SectionName}:{nameof(SyncTimeoutMs)} must be within 100..120000, was {SyncTimeoutMs}");
        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Contains(' ', StringComparison.Ordinal))
            errors.Add($"{SectionName}:{nameof(KeyPrefix)} must be a non-empty name without spaces");
        if (TlsHost.Length > 0 && !Tls) errors.Add($"{SectionName}:{nameof(TlsHost)} is set but {nameof(Tls)} is false");
        return errors;
    }

    public override string ToString() =>
        $"Redis({Endpoints}, user={(User.Length > 0 ? User : "default")}, password={(Password.Length > 0 ? "set" : "none")}, tls={Tls})";
}

/// <summary>The Redis key and channel layout, in one place. docs/control-plane.md describes each.</summary>
public sealed record ControlKeys(string Prefix = "cloudwall:control", string CommandsChannelName = "", string ResultsChannelName = "")
{
    /// <summary>String: the signed desired-state document (JSON, with its version).</summary>
    public string State => Prefix + ":state";

    /// <summary>Pub/sub: "something changed" signals (and snapshot-state requests).</summary>
    public string CommandsChannel => CommandsChannelName.Length > 0 ? CommandsChannelName : Prefix + ":commands";

    /// <summary>Pub/sub: one JSON result per submission and per instance apply.</summary>
    public string ResultsChannel => ResultsChannelName.Length > 0 ? ResultsChannelName : Prefix + ":results";

    /// <summary>List, newest first, capped: audit entries.</summary>
    public string Audit => Prefix + ":audit";

    /// <summary>String with TTL: the version an instance has applied.</summary>
    public string Applied(string instance) => Prefix + ":applied:" + instance;

    public string AppliedPattern => Prefix + ":applied:*";

    /// <summary>String with the same TTL: the version this instance refused to apply, and why (absent when none failed).</summary>
    public string Failed(string instance) => Prefix + ":failed:" + instance;

    public string FailedPattern => Prefix + ":failed:*";

    /// <summary>String with TTL (2× skew): a claimed nonce, so a replay is refused across submitters.</summary>
    public string Nonce(string keyId, string nonce) => Prefix + ":nonce:" + keyId + ":" + nonce;
}
