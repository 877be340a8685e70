using Cloudwall.Rx.Kafka;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class KafkaOptionsTests
{
    [Fact]
    public void Producer_config_is_idempotent_with_acks_all_and_the_chosen_batching()
    {
        var options = new KafkaOptions { BootstrapServers = "k1:9092", LingerMs = 20, BatchSize = 65536, CompressionType = CompressionType.Zstd };

        var config = new KafkaClientConfigs(options).Producer();

        Assert.Empty(options.Errors());
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(20, config.LingerMs);
        Assert.Equal(65536, config.BatchSize);
        Assert.Equal(CompressionType.Zstd, config.CompressionType);
        Assert.Null(config.SecurityProtocol);
    }

    [Theory]
    [InlineData(KafkaPreset.Latency, 1, 64 * 1024, CompressionType.Lz4)]
    [InlineData(KafkaPreset.Throughput, 50, 1024 * 1024, CompressionType.Zstd)]
    public void Presets_set_linger_batch_and_compression_and_explicit_values_win(KafkaPreset preset, double linger, int batch, CompressionType compression)
    {
        var config = new KafkaClientConfigs(new KafkaOptions { BootstrapServers = "k:9092", Preset = preset }).Producer();
        Assert.Equal((linger, batch, compression), (config.LingerMs!.Value, config.BatchSize!.Value, config.CompressionType!.Value));

        var overridden = new KafkaClientConfigs(new KafkaOptions { BootstrapServers = "k:9092", Preset = preset, LingerMs = 7 }).Producer();
        Assert.Equal(7, overridden.LingerMs);
        Assert.Equal(batch, overridden.BatchSize);
    }

    [Fact]
    public void Validation_names_each_bad_key()
    {
        var options = new KafkaOptions { BootstrapServers = " ", BatchSize = 0, SaslMechanism = SaslMechanism.ScramSha512, SecurityProtocol = SecurityProtocol.SaslSsl, SaslPassword = "x" };

        var errors = options.Errors().ToList();

        Assert.Contains(errors, e => e.StartsWith("Kafka:BootstrapServers", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Kafka:BatchSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Kafka:SaslUsername", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Sasl_needs_a_sasl_protocol_a_supported_mechanism_and_a_password_and_tls_files_must_exist()
    {
        var errors = new KafkaOptions { BootstrapServers = "k:9092", SaslMechanism = SaslMechanism.Gssapi, SaslUsername = "u" }.Errors();
        Assert.Contains(errors, e => e.StartsWith("Kafka:SaslMechanism must be Plain, ScramSha256 or ScramSha512", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Kafka:SecurityProtocol must be SaslPlaintext or SaslSsl", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Kafka:SaslPassword", StringComparison.Ordinal));

        var tls = new KafkaOptions { BootstrapServers = "k:9092", SecurityProtocol = SecurityProtocol.Ssl, SslCaLocation = "/nonexistent/ca.pem" }.Errors();
        Assert.Contains(tls, e => e.StartsWith("Kafka:SslCaLocation", StringComparison.Ordinal));

        var noProtocol = new KafkaOptions { BootstrapServers = "k:9092", SecurityProtocol = SecurityProtocol.SaslPlaintext }.Errors();
        Assert.Contains(noProtocol, e => e.StartsWith("Kafka:SaslMechanism is required", StringComparison.Ordinal));

        var missingFile = new KafkaOptions
        {
            BootstrapServers = "k:9092", SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = SaslMechanism.ScramSha256, SaslUsername = "u",
            SaslPasswordFile = "/nonexistent/password",
        }.Errors();
        Assert.Contains(missingFile, e => e.StartsWith("Kafka:SaslPasswordFile", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(SaslMechanism.Plain)]
    [InlineData(SaslMechanism.ScramSha256)]
    [InlineData(SaslMechanism.ScramSha512)]
    public void The_password_comes_from_the_file_reaches_librdkafka_and_is_never_shown(SaslMechanism mechanism)
    {
        const string secret = "s3cr3t-from-file";
        var file = Path.GetTempFileName();
        File.WriteAllText(file, secret + "\n");
        try
        {
            var options = new KafkaOptions
            {
                BootstrapServers = "k:9093", SecurityProtocol = SecurityProtocol.SaslSsl, SaslMechanism = mechanism, SaslUsername = "md",
                SaslPasswordFile = file, SslCaLocation = file, SslEndpointIdentificationAlgorithm = SslEndpointIdentificationAlgorithm.Https,
            };

            Assert.Empty(options.Errors());
            var config = new KafkaClientConfigs(options).Producer();
            Assert.Equal(secret, config.SaslPassword);
            Assert.Equal(mechanism, config.SaslMechanism);
            Assert.Equal(file, config.SslCaLocation);
            Assert.Equal(secret, new KafkaClientConfigs(options).Consumer("g").SaslPassword);

            Assert.DoesNotContain(secret, options.ToString(), StringComparison.Ordinal);
            var info = options.SecurityInfo();
            Assert.True(info.PasswordSet);
            Assert.Equal("file", info.PasswordSource);
            Assert.DoesNotContain(secret, info.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Both_a_password_and_a_password_file_is_an_error()
    {
        var file = Path.GetTempFileName();
        try
        {
            var errors = new KafkaOptions
            {
                BootstrapServers = "k:9092", SecurityProtocol = SecurityProtocol.SaslPlaintext, SaslMechanism = SaslMechanism.Plain, SaslUsername = "u",
                SaslPassword = "p", SaslPasswordFile = file,
            }.Errors();
            Assert.Contains(errors, e => e.StartsWith("Kafka:SaslPasswordFile and SaslPassword are both set", StringComparison.Ordinal));
            Assert.DoesNotContain(errors, e => e.Contains("=p", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
