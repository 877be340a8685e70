using Cloudwall.Rx.Hosting.Cli;
using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary>
/// Where the detectors run (issue 14, duplicate alerts): in process in role all; not in role ingest, whose pods each see
/// only their shards and leave alerting to the quality pod, unless <c>Quality:Detectors:InProcess</c> turns them on.
/// </summary>
public sealed class QualityPlacementTests
{
    private static bool StartsTheSidecar(string role, params (string Key, string Value)[] settings)
    {
        var app = RunCommand.Build([new("Admin:Port", "0"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))], TextWriter.Null, role);
        try
        {
            return app.Services.GetRequiredService<PlatformService>().RunsDetectors;
        }
        finally
        {
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Fact]
    public void Role_all_runs_the_detectors_in_process_and_role_ingest_does_not()
    {
        Assert.True(StartsTheSidecar(RunRole.All));
        Assert.False(StartsTheSidecar(RunRole.Ingest));
    }

    [Fact]
    public void Quality_Detectors_InProcess_turns_them_on_or_off_in_either_role()
    {
        Assert.True(StartsTheSidecar(RunRole.Ingest, ("Quality:Detectors:InProcess", "true")));
        Assert.False(StartsTheSidecar(RunRole.All, ("Quality:Detectors:InProcess", "false")));
    }

    [Theory]
    [InlineData(RunRole.All, null, true, false)]
    [InlineData(RunRole.Ingest, null, false, true)]
    [InlineData(RunRole.Ingest, true, true, true)]
    [InlineData(RunRole.Price, true, false, false)]
    [InlineData(RunRole.Quality, false, false, false)] // the quality role drives its sidecar itself, from md.quality.v1
    public void Each_role_places_detectors_and_windows(string role, bool? inProcess, bool detectors, bool windows)
    {
        var placement = new QualityPlacementOptions { Detectors = { InProcess = inProcess } };
        Assert.Equal(detectors, placement.RunsDetectors(role));
        Assert.Equal(windows, placement.PublishesWindows(role));
    }
}
