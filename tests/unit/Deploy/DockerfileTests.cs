using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>
/// The Dockerfile, checked statically (no image can be built here): pinned base images, a numeric non-root user, nothing
/// fetched from a URL, no SDK in the final stage, and the cloudwall-rx executable as the entrypoint. The container
/// publishing settings in src/Hosting/Hosting.csproj describe the same image.
/// </summary>
public sealed partial class DockerfileTests
{
    private sealed record Stage(string Image, List<(string Instruction, string Args)> Lines);

    [GeneratedRegex(@"^[\w.\-/]+:(\d+\.\d+\.\d+)[\w.\-]*(@sha256:[0-9a-f]{64})?$|^[\w.\-/]+(:[\w.\-]+)?@sha256:[0-9a-f]{64}$")]
    private static partial Regex PinnedImage();

    [GeneratedRegex(@"^(\d+)(:(\d+))?$")]
    private static partial Regex NumericUser();

    private static string Text => File.ReadAllText(Path.Combine(Repository.Root, "Dockerfile"));

    /// <summary>Instructions by stage, continuation lines joined, comments dropped.</summary>
    private static List<Stage> Stages(string dockerfile)
    {
        var stages = new List<Stage>();
        var joined = Regex.Replace(dockerfile, @"\\\r?\n", " ");
        foreach (var raw in joined.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var instruction = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var args = space < 0 ? "" : line[(space + 1)..].Trim();
            if (instruction == "FROM")
            {
                var image = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(a => !a.StartsWith("--", StringComparison.Ordinal));
                stages.Add(new Stage(image, []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Lines.Add((instruction, args));
            }
        }

        return stages;
    }

    private static IReadOnlyList<string> Problems(string dockerfile)
    {
        var problems = new List<string>();
        var stages = Stages(dockerfile);
        if (stages.Count < 2) problems.Add("not multi-stage: build with the SDK, run on the runtime");
        var aliases = Regex.Matches(dockerfile, @"(?im)^FROM\s+\S+\s+AS\s+(\S+)").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var s in stages.Where(s => !aliases.Contains(s.Image)))
        {
            if (s.Image.Contains("latest", StringComparison.Ordinal) || !PinnedImage().IsMatch(s.Image))
                problems.Add($"base image {s.Image} is not pinned to a full version or a digest");
        }

        if (stages.Count == 0) return problems;
        var final = stages[^1];
        if (final.Image.Contains("/dotnet/sdk", StringComparison.Ordinal)) problems.Add("the final stage is the SDK image");
        var user = final.Lines.LastOrDefault(l => l.Instruction == "USER").Args;
        var m = user is null ? null : NumericUser().Match(user);
        if (m is null || !m.Success) problems.Add($"the final stage's USER is '{user}', not a numeric uid[:gid]");
        else if (m.Groups[1].Value == "0" || m.Groups[3].Value == "0") problems.Add("USER is root");
        foreach (var (instruction, args) in stages.SelectMany(s => s.Lines))
        {
            if (instruction == "ADD" && Regex.IsMatch(args, @"(?i)\b(https?|ftp)://|\bgit@")) problems.Add($"ADD from a URL: {args}");
        }

        var entry = final.Lines.LastOrDefault(l => l.Instruction == "ENTRYPOINT").Args;
        string? executable = null;
        try
        {
            executable = entry is null ? null : JsonSerializer.Deserialize<string[]>(entry)?.FirstOrDefault();
        }
        catch (JsonException)
        {
            problems.Add($"ENTRYPOINT is not in exec form: {entry}");
        }

        if (executable is null || Path.GetFileName(executable) != "cloudwall-rx") problems.Add($"ENTRYPOINT runs '{executable}', not the cloudwall-rx executable");
        return problems;
    }

    [Fact]
    public void The_Dockerfile_is_pinned_non_root_multi_stage_and_runs_cloudwall_rx() =>
        Assert.True(Problems(Text).Count == 0, string.Join('\n', Problems(Text)));

    [Theory]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build\nFROM mcr.microsoft.com/dotnet/aspnet:10.0.1-noble\nUSER 10001\nENTRYPOINT [\"/app/cloudwall-rx\"]", "not pinned")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build\nFROM mcr.microsoft.com/dotnet/aspnet:latest\nUSER 10001\nENTRYPOINT [\"/app/cloudwall-rx\"]", "not pinned")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build\nFROM mcr.microsoft.com/dotnet/aspnet:10.0.1-noble\nUSER app\nENTRYPOINT [\"/app/cloudwall-rx\"]", "numeric")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build\nFROM mcr.microsoft.com/dotnet/aspnet:10.0.1-noble\nUSER 0:0\nENTRYPOINT [\"/app/cloudwall-rx\"]", "root")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build\nADD https://example.com/x.tgz /x\nFROM mcr.microsoft.com/dotnet/aspnet:10.0.1-noble\nUSER 10001\nENTRYPOINT [\"/app/cloudwall-rx\"]", "URL")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build\nUSER 10001\nENTRYPOINT [\"/app/cloudwall-rx\"]", "SDK")]
    [InlineData("FROM mcr.microsoft.com/dotnet/sdk:10.0.101-noble AS build\nFROM mcr.microsoft.com/dotnet/aspnet:10.0.1-noble\nUSER 10001\nENTRYPOINT [\"dotnet\", \"other.dll\"]", "cloudwall-rx")]
    public void A_Dockerfile_breaking_a_rule_fails(string dockerfile, string expected) =>
        Assert.Contains(Problems(dockerfile), p => p.Contains(expected, StringComparison.Ordinal));

    [Fact]
    public void Container_publishing_builds_the_same_image_as_the_Dockerfile()
    {
        var project = XDocument.Load(Path.Combine(Repository.Root, "src", "Hosting", "Hosting.csproj"));
        string? Property(string name) => project.Descendants(name).SingleOrDefault()?.Value;
        var final = Stages(Text)[^1];
        Assert.Equal("cloudwall-rx", Property("AssemblyName"));
        Assert.Equal(final.Image, Property("ContainerBaseImage"));
        var user = final.Lines.Last(l => l.Instruction == "USER").Args.Split(':')[0];
        Assert.Equal(user, Property("ContainerUser"));
    }

    [Fact]
    public void The_image_user_is_the_pods_user()
    {
        var user = Stages(Text)[^1].Lines.Last(l => l.Instruction == "USER").Args.Split(':')[0];
        foreach (var (workload, pod) in DeployTools.PodSpecs(DeployTools.Render("k8s/base")))
        {
            Assert.True(user == DeployTools.At(pod, "securityContext", "runAsUser")?.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{workload}: runAsUser differs from the Dockerfile's USER {user}");
        }
    }
}
