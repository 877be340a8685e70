using Cloudwall.Rx.Kafka;
using Confluent.Kafka;

namespace Cloudwall.Rx.Tests.Unit.Kafka;

public sealed class KafkaOptionsTests
{
    [Fact]
    public void Producer_config_is_idempotent_with_acks_all_and_the_chosen_batching()
    {
        var options = new KafkaOptions { BootstrapServers = "k1:9092", LingerMs = 20, BatchSize = 65536, CompressionType = CompressionType.Zstd };

        var config = options.ToProducerConfig();

        Assert.Empty(options.Validate());
        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Equal(20, config.LingerMs);
        Assert.Equal(65536, config.BatchSize);
        Assert.Equal(CompressionType.Zstd, config.CompressionType);
        Assert.Null(config.SecurityProtocol);
    }

    [Fact]
    public void Validation_names_each_bad_key()
    {
        var options = new KafkaOptions { BootstrapServers = " ", BatchSize = 0, SaslMechanism = SaslMechanism.ScramSha512 };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Kafka:BootstrapServers", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Kafka:BatchSize", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Kafka:SaslUsername", StringComparison.Ordinal));
        Assert.Equal(3, errors.Count);
    }
}
