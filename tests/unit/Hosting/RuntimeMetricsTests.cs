using Cloudwall.Rx.Hosting.Cli;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>/metrics carries the runtime's process_* and dotnet_* series next to the platform's own.</summary>
public sealed class RuntimeMetricsTests
{
    [Theory]
    [InlineData("process_cpu_seconds_total")]
    [InlineData("process_working_set_bytes")]
    [InlineData("process_start_time_seconds")]
    [InlineData("process_num_threads")]
    [InlineData("dotnet_total_memory_bytes")]
    [InlineData("dotnet_collection_count_total{generation=\"0\"}")]
    public async Task The_registry_the_admin_endpoint_serves_exports_the_runtime_metrics(string series)
    {
        await using var app = RunCommand.Build([new("Admin:Port", "0"), new("ConsoleView:Enabled", "false")], TextWriter.Null);
        var registry = app.Services.GetRequiredService<CollectorRegistry>();

        using var text = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(text);
        var lines = System.Text.Encoding.UTF8.GetString(text.ToArray()).Split('\n');

        Assert.Contains(lines, l => l.StartsWith(series + " ", StringComparison.Ordinal));
    }
}
