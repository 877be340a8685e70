using static Cloudwall.Rx.Tests.Unit.Deploy.DeployTools;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>
/// Every environment variable the manifests give a pod (its env, and the ConfigMap keys it takes with envFrom) binds to a
/// configuration key the app reads: <c>A__B__C</c> is the key <c>A:B:C</c>. A misspelt variable would be ignored
/// silently by the app and leave a default in force, so it fails here.
/// </summary>
public sealed class EnvBindingTests
{
    /// <summary>Variables for the runtime and the pod itself, not for the app's configuration.</summary>
    private static readonly string[] NotConfiguration = ["POD_NAME", "TMPDIR"];

    private static readonly string[] RuntimePrefixes = ["DOTNET_", "ASPNETCORE_"];

    /// <summary>Null when the variable binds (or is the runtime's); otherwise why not.</summary>
    internal static string? Problem(string variable)
    {
        if (NotConfiguration.Contains(variable, StringComparer.Ordinal) || RuntimePrefixes.Any(p => variable.StartsWith(p, StringComparison.Ordinal)))
            return null;
        var key = variable.Replace("__", ":", StringComparison.Ordinal);
        return ConfigurationKeys.App.Binds(key) ? null : $"{variable} (key {key}) binds to no configuration key the app reads";
    }

    [Theory]
    [MemberData(nameof(KustomizationNames), MemberType = typeof(DeployTools))]
    public void Every_variable_in_the_manifests_binds_to_a_configuration_key(string kustomization)
    {
        var r = Render(kustomization);
        var variables = new List<(string Where, string Name)>();
        foreach (var (workload, pod) in PodSpecs(r))
        {
            foreach (var c in Containers(pod))
            {
                variables.AddRange((At(c, "env")?.EnumerateArray() ?? []).Select(e => (workload, Name(e))));
                foreach (var source in At(c, "envFrom")?.EnumerateArray() ?? [])
                {
                    var map = At(source, "configMapRef", "name")?.GetString();
                    Assert.True(map is not null, $"{workload}: envFrom takes only ConfigMaps here (a Secret's keys would be invisible to this test)");
                    var data = r.Single("ConfigMap", map!).GetProperty("data");
                    variables.AddRange(data.EnumerateObject().Select(p => ($"{workload} (ConfigMap {map})", p.Name)));
                }
            }
        }

        Assert.True(variables.Count > 20, $"{kustomization}: only {variables.Count} variables found");
        var problems = variables.Select(v => Problem(v.Name) is { } p ? $"{v.Where}: {p}" : null).OfType<string>().Distinct().ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("Kafka__BootstrapServer")]
    [InlineData("Kafka__SaslPassword_File")]
    [InlineData("Control__Shard__Enabled")]
    [InlineData("Quality__Alerts__Slack")]
    [InlineData("Admin__Port__Extra")]
    public void A_misspelt_or_partial_variable_fails(string variable) => Assert.NotNull(Problem(variable));

    [Theory]
    [InlineData("Kafka__BootstrapServers")]
    [InlineData("kafka__bootstrapservers")]
    [InlineData("Kafka__ClientId")]
    [InlineData("Control__Keys__ops")]
    [InlineData("Control__Redis__Tls")]
    [InlineData("Providers__aggregator__Endpoint")]
    [InlineData("Providers__coinbase__Symbols__0")]
    [InlineData("Quality__Alerts__Webhook__SecretFile")]
    [InlineData("Pricing__Composites__0")]
    [InlineData("PriceRole__GroupId")]
    [InlineData("DOTNET_gcServer")]
    public void Real_keys_bind(string variable) => Assert.Null(Problem(variable));
}
