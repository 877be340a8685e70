using Cloudwall.Rx.Core.Configuration;
using Cloudwall.Rx.Kafka;
using Microsoft.Extensions.Options;

namespace Cloudwall.Rx.Hosting.Configuration;

/// <summary>
/// <see cref="KafkaOptions"/> as the host binds them: <c>Kafka:BootstrapServers</c> may be empty, because the embedded
/// cluster fills it in at start (in a resolved copy); every other rule is <see cref="KafkaOptions.Errors"/>.
/// </summary>
public sealed class HostKafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private static readonly string BootstrapServersKey = $"{KafkaOptions.SectionName}:{nameof(KafkaOptions.BootstrapServers)} ";

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return OptionsCheck.Result(options.Errors().Where(e => !e.StartsWith(BootstrapServersKey, StringComparison.Ordinal)));
    }
}
