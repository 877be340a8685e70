using Cloudwall.Rx.Core.Configuration;
using Confluent.Kafka;

namespace Cloudwall.Rx.Kafka;

/// <summary>Batching presets (<c>Kafka:Preset</c>); explicit <c>LingerMs</c>, <c>BatchSize</c> or <c>CompressionType</c> override the preset's value.</summary>
public enum KafkaPreset
{
    /// <summary>linger.ms 1, batch.size 64 KiB, lz4: each record leaves within about a millisecond.</summary>
    Latency,

    /// <summary>linger.ms 50, batch.size 1 MiB, zstd: fuller batches, fewer requests and bytes, tens of milliseconds added.</summary>
    Throughput,
}

/// <summary>What the producer does with a record while librdkafka's bounded local queue is full (<c>Kafka:QueueFullPolicy</c>).</summary>
public enum QueueFullPolicy
{
    /// <summary>The caller waits (polling delivery reports) until there is room: backpressure through the bounded pipeline. Nothing is dropped.</summary>
    Wait,

    /// <summary>
    /// The record being written is dropped and counted (result "dropped") instead of waiting — after a bounded
    /// <c>QueueFullRetries</c> × <c>QueueFullPollMs</c> of delivery-report polling, which usually makes room.
    /// </summary>
    DropWrite,
}

/// <summary>Producer settings (configuration section <see cref="SectionName"/>). Defaults suit the embedded cluster.</summary>
/// <remarks>Secrets (<see cref="SaslPassword"/>, <see cref="SslKeyPassword"/>) are never logged, never part of <see cref="ToString"/>,
/// the run summary or /healthz. Prefer <c>Kafka__SaslPassword</c> in the environment or <see cref="SaslPasswordFile"/>.</remarks>
public sealed class KafkaOptions : ICheckedOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated <c>host:port</c> list. Empty means "use the embedded cluster" to the host.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>
    /// The start of every client's <c>client.id</c> (<c>{ClientId}-producer</c>, <c>-shards</c>, ...). Null: <c>cloudwall-rx-{pod name}</c>
    /// from <c>POD_NAME</c>, else <c>HOSTNAME</c>, else the machine name (see <see cref="KafkaClientConfigs"/>).
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>The batching preset the unset batching values come from.</summary>
    public KafkaPreset Preset { get; set; } = KafkaPreset.Latency;

    /// <summary>linger.ms: how long the producer waits to fill a batch. Null: the preset's.</summary>
    public double? LingerMs { get; set; }

    /// <summary>batch.size in bytes per partition batch. Null: the preset's.</summary>
    public int? BatchSize { get; set; }

    /// <summary>compression.type (lz4 or zstd recommended). Null: the preset's.</summary>
    public CompressionType? CompressionType { get; set; }

    /// <summary>queue.buffering.max.messages: the bound on messages held while Kafka is slow or down.</summary>
    public int QueueBufferingMaxMessages { get; set; } = 200_000;

    /// <summary>queue.buffering.max.kbytes: the bound on bytes held while Kafka is slow or down.</summary>
    public int QueueBufferingMaxKbytes { get; set; } = 256 * 1024;

    /// <summary>message.timeout.ms: how long a message may wait for delivery before it fails (counted as result "failed").</summary>
    public int MessageTimeoutMs { get; set; } = 300_000;

    /// <summary>What a full local queue does to the caller.</summary>
    public QueueFullPolicy QueueFullPolicy { get; set; } = QueueFullPolicy.Wait;

    /// <summary>Under <see cref="QueueFullPolicy.DropWrite"/>: waits of <see cref="QueueFullPollMs"/> before the record is dropped.</summary>
    public int QueueFullRetries { get; set; } = 50;

    public int QueueFullPollMs { get; set; } = 100;

    /// <summary>How long Dispose waits for outstanding deliveries.</summary>
    public TimeSpan DisposeFlushTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>statistics.interval.ms for the retry and broker-queue figures (0 turns them off).</summary>
    public int StatisticsIntervalMs { get; set; } = 1000;

    public SecurityProtocol? SecurityProtocol { get; set; }

    /// <summary>PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.</summary>
    public SaslMechanism? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    /// <summary>Never logged. Prefer the environment (<c>Kafka__SaslPassword</c>) or <see cref="SaslPasswordFile"/>.</summary>
    public string? SaslPassword { get; set; }

    /// <summary>A file whose content (trailing newline trimmed) is the SASL password, e.g. a mounted Kubernetes secret.</summary>
    public string? SaslPasswordFile { get; set; }

    /// <summary>ssl.ca.location: CA certificate(s) to verify the brokers (PEM file or directory).</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>ssl.certificate.location: client certificate (PEM) for mutual TLS.</summary>
    public string? SslCertificateLocation { get; set; }

    /// <summary>ssl.key.location: client private key (PEM) for mutual TLS.</summary>
    public string? SslKeyLocation { get; set; }

    /// <summary>ssl.key.password. Never logged.</summary>
    public string? SslKeyPassword { get; set; }

    /// <summary>ssl.endpoint.identification.algorithm: <c>https</c> (verify the broker host name, the default) or <c>none</c>.</summary>
    public SslEndpointIdentificationAlgorithm? SslEndpointIdentificationAlgorithm { get; set; }

    public double EffectiveLingerMs => LingerMs ?? (Preset == KafkaPreset.Throughput ? 50 : 1);

    public int EffectiveBatchSize => BatchSize ?? (Preset == KafkaPreset.Throughput ? 1024 * 1024 : 64 * 1024);

    public CompressionType EffectiveCompression => CompressionType ?? (Preset == KafkaPreset.Throughput ? Confluent.Kafka.CompressionType.Zstd : Confluent.Kafka.CompressionType.Lz4);

    private bool UsesSasl => SecurityProtocol is Confluent.Kafka.SecurityProtocol.SaslPlaintext or Confluent.Kafka.SecurityProtocol.SaslSsl;

    private bool UsesTls => SecurityProtocol is Confluent.Kafka.SecurityProtocol.Ssl or Confluent.Kafka.SecurityProtocol.SaslSsl;

    /// <summary>Problems with the settings, each naming its key; empty when valid. Never quotes a secret.</summary>
    public IEnumerable<string> Errors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BootstrapServers)) errors.Add($"{SectionName}:{nameof(BootstrapServers)} is required");
        if (ClientId is not null && string.IsNullOrWhiteSpace(ClientId)) errors.Add($"{SectionName}:{nameof(ClientId)} must not be blank (leave it unset for the pod name)");
        if (!Enum.IsDefined(Preset)) errors.Add($"{SectionName}:{nameof(Preset)} must be Latency or Throughput, was {Preset}");
        if (LingerMs is < 0 or > 900_000) errors.Add($"{SectionName}:{nameof(LingerMs)} must be within 0..900000, was {LingerMs}");
        if (BatchSize is < 1) errors.Add($"{SectionName}:{nameof(BatchSize)} must be positive, was {BatchSize}");
        if (QueueBufferingMaxMessages < 1) errors.Add($"{SectionName}:{nameof(QueueBufferingMaxMessages)} must be positive, was {QueueBufferingMaxMessages}");
        if (QueueBufferingMaxKbytes < 1) errors.Add($"{SectionName}:{nameof(QueueBufferingMaxKbytes)} must be positive, was {QueueBufferingMaxKbytes}");
        if (MessageTimeoutMs < 1) errors.Add($"{SectionName}:{nameof(MessageTimeoutMs)} must be positive, was {MessageTimeoutMs}");
        if (!Enum.IsDefined(QueueFullPolicy)) errors.Add($"{SectionName}:{nameof(QueueFullPolicy)} must be Wait or DropWrite, was {QueueFullPolicy}");
        if (QueueFullRetries < 0) errors.Add($"{SectionName}:{nameof(QueueFullRetries)} must not be negative, was {QueueFullRetries}");
        if (QueueFullPollMs < 1) errors.Add($"{SectionName}:{nameof(QueueFullPollMs)} must be positive, was {QueueFullPollMs}");
        if (StatisticsIntervalMs is < 0 or > 86_400_000) errors.Add($"{SectionName}:{nameof(StatisticsIntervalMs)} must be within 0..86400000, was {StatisticsIntervalMs}");
        AddSecurityErrors(errors);
        return errors;
    }

    private void AddSecurityErrors(List<string> errors)
    {
        if (SaslMechanism is { } mechanism)
        {
            if (mechanism is not (Confluent.Kafka.SaslMechanism.Plain or Confluent.Kafka.SaslMechanism.ScramSha256 or Confluent.Kafka.SaslMechanism.ScramSha512))
                errors.Add($"{SectionName}:{nameof(SaslMechanism)} must be Plain, ScramSha256 or ScramSha512, was {mechanism}");
            if (!UsesSasl)
                errors.Add($"{SectionName}:{nameof(SecurityProtocol)} must be SaslPlaintext or SaslSsl when {nameof(SaslMechanism)} is set, was {SecurityProtocol?.ToString() ?? "unset"}");
            if (string.IsNullOrEmpty(SaslUsername))
                errors.Add($"{SectionName}:{nameof(SaslUsername)} is required when {nameof(SaslMechanism)} is set");
            if (string.IsNullOrEmpty(SaslPassword) && string.IsNullOrEmpty(SaslPasswordFile))
                errors.Add($"{SectionName}:{nameof(SaslPassword)} (or {nameof(SaslPasswordFile)}) is required when {nameof(SaslMechanism)} is set");
        }
        else if (UsesSasl)
        {
            errors.Add($"{SectionName}:{nameof(SaslMechanism)} is required when {nameof(SecurityProtocol)} is {SecurityProtocol}");
        }

        if (!string.IsNullOrEmpty(SaslPassword) && !string.IsNullOrEmpty(SaslPasswordFile))
            errors.Add($"{SectionName}:{nameof(SaslPasswordFile)} and {nameof(SaslPassword)} are both set; use one");
        if (!string.IsNullOrEmpty(SaslPasswordFile) && !File.Exists(SaslPasswordFile))
            errors.Add($"{SectionName}:{nameof(SaslPasswordFile)} '{SaslPasswordFile}' does not exist");
        if (!UsesTls && (SslCaLocation ?? SslCertificateLocation ?? SslKeyLocation) is not null)
            errors.Add($"{SectionName}:{nameof(SecurityProtocol)} must be Ssl or SaslSsl when Ssl* locations are set, was {SecurityProtocol?.ToString() ?? "unset"}");
        if (SslCaLocation is { Length: > 0 } ca && !File.Exists(ca) && !Directory.Exists(ca))
            errors.Add($"{SectionName}:{nameof(SslCaLocation)} '{ca}' does not exist");
        if (SslCertificateLocation is { Length: > 0 } cert && !File.Exists(cert))
            errors.Add($"{SectionName}:{nameof(SslCertificateLocation)} '{cert}' does not exist");
        if (SslKeyLocation is { Length: > 0 } key && !File.Exists(key))
            errors.Add($"{SectionName}:{nameof(SslKeyLocation)} '{key}' does not exist");
        if ((SslCertificateLocation is null) != (SslKeyLocation is null))
            errors.Add($"{SectionName}:{nameof(SslCertificateLocation)} and {nameof(SslKeyLocation)} go together (mutual TLS)");
    }

    /// <summary>The SASL password: <see cref="SaslPassword"/>, else the trimmed content of <see cref="SaslPasswordFile"/>.</summary>
    public string? ResolveSaslPassword() =>
        !string.IsNullOrEmpty(SaslPassword) ? SaslPassword
        : !string.IsNullOrEmpty(SaslPasswordFile) ? File.ReadAllText(SaslPasswordFile).TrimEnd('\r', '\n')
        : null;

    /// <summary>A copy with other bootstrap servers (the embedded cluster's); the bound options stay as bound.</summary>
    public KafkaOptions WithBootstrapServers(string servers)
    {
        var copy = (KafkaOptions)MemberwiseClone();
        copy.BootstrapServers = servers;
        return copy;
    }

    /// <summary>The security settings without secrets, for summaries and health: whether a password is set, never its value.</summary>
    public KafkaSecurityInfo SecurityInfo() => new(
        SecurityProtocol?.ToString() ?? "Plaintext",
        SaslMechanism?.ToString(),
        SaslUsername,
        PasswordSet: !string.IsNullOrEmpty(SaslPassword) || !string.IsNullOrEmpty(SaslPasswordFile),
        PasswordSource: !string.IsNullOrEmpty(SaslPasswordFile) ? "file" : !string.IsNullOrEmpty(SaslPassword) ? "configuration" : null,
        SslCaLocation);

    /// <summary>A redacted description (no secrets).</summary>
    public override string ToString() =>
        $"Kafka {{ BootstrapServers = {BootstrapServers}, ClientId = {ClientId ?? "(pod name)"}, Preset = {Preset}, LingerMs = {EffectiveLingerMs}, BatchSize = {EffectiveBatchSize}, " +
        $"Compression = {EffectiveCompression}, QueueFullPolicy = {QueueFullPolicy}, Security = {SecurityInfo()} }}";
}

/// <summary>Security settings as they may be shown: the password only as "set" and where it came from.</summary>
public sealed record KafkaSecurityInfo(string Protocol, string? SaslMechanism, string? SaslUsername, bool PasswordSet, string? PasswordSource, string? SslCaLocation);
