using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>One kustomization rendered by <c>kubectl kustomize</c>: its YAML and its objects.</summary>
internal sealed record Rendered(string Name, string Yaml, IReadOnlyList<JsonElement> Objects)
{
    public IEnumerable<JsonElement> OfKind(string kind) => Objects.Where(o => o.GetProperty("kind").GetString() == kind);

    public JsonElement Single(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o.GetProperty("metadata").GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } found
            ? found
            : throw new Xunit.Sdk.XunitException($"{Name}: no {kind}/{name}");

    public override string ToString() => Name;
}

/// <summary>
/// The deployment files under test and the tools that read them: kubectl (kustomize) and Node.js with
/// tools/k8s-validate's packages. scripts/test.sh installs all three when missing; a test that needs one fails, never skips.
/// </summary>
internal static class DeployTools
{
    /// <summary>Every kustomization: the base and each overlay.</summary>
    public static IReadOnlyList<string> Kustomizations { get; } =
        ["k8s/base", .. Directory.GetDirectories(Path.Combine(Repository.Root, "k8s", "overlays")).Order(StringComparer.Ordinal).Select(d => "k8s/overlays/" + Path.GetFileName(d))];

    public static string ValidatorDir => Path.Combine(Repository.Root, "tools", "k8s-validate");

    /// <summary>
    /// <c>KUBECTL</c> when set, else tools/kubectl/bin/kubectl when scripts/test.sh extracted it (no recent kubectl was
    /// installed), else kubectl from the PATH.
    /// </summary>
    public static string Kubectl =>
        Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } set ? set
        : File.Exists(Path.Combine(Repository.Root, "tools", "kubectl", "bin", "kubectl")) ? Path.Combine(Repository.Root, "tools", "kubectl", "bin", "kubectl")
        : "kubectl";

    private static readonly Dictionary<string, Lazy<Rendered>> Renders =
        Kustomizations.ToDictionary(k => k, k => new Lazy<Rendered>(() => RenderNow(k)));

    public static TheoryData<string> KustomizationNames() => new(Kustomizations);

    public static Rendered Render(string kustomization) => Renders[kustomization].Value;

    public static IEnumerable<Rendered> All() => Kustomizations.Select(Render);

    private static Rendered RenderNow(string kustomization)
    {
        var (exit, yaml, err) = Run(Kubectl, ["kustomize", Path.Combine(Repository.Root, kustomization)]);
        Assert.True(exit == 0, $"kubectl kustomize {kustomization} exited {exit}: {err}");
        RequireValidatorPackages();
        var (jsonExit, json, jsonErr) = Run("node", [Path.Combine(ValidatorDir, "to-json.mjs")], yaml);
        Assert.True(jsonExit == 0, $"{kustomization}: the rendered YAML does not parse: {jsonErr}");
        using var doc = JsonDocument.Parse(json);
        return new Rendered(kustomization, yaml, doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToList());
    }

    public static void RequireValidatorPackages() =>
        Assert.True(Directory.Exists(Path.Combine(ValidatorDir, "node_modules", "kubernetes-models")),
            $"{ValidatorDir}/node_modules is missing: run `npm ci` there (scripts/test.sh does)");

    /// <summary>Runs a tool to completion; a missing tool fails the test with what installs it.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"{file} is not installed ({e.Message}); scripts/test.sh installs it (node and npm from Debian, kubectl through tools/kubectl)");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(stdin ?? "");
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new Xunit.Sdk.XunitException($"{file} {string.Join(' ', args)} did not finish within 2 minutes");
            }

            return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
    }

    /// <summary>The pod templates of every workload in a render, with the workload's name.</summary>
    public static IEnumerable<(string Workload, JsonElement PodSpec)> PodSpecs(Rendered r) =>
        r.OfKind("Deployment").Select(d => (
            $"{r.Name} Deployment/{d.GetProperty("metadata").GetProperty("name").GetString()}",
            d.GetProperty("spec").GetProperty("template").GetProperty("spec")));

    public static IEnumerable<JsonElement> Containers(JsonElement podSpec) =>
        new[] { "initContainers", "containers" }
            .Where(k => podSpec.TryGetProperty(k, out _))
            .SelectMany(k => podSpec.GetProperty(k).EnumerateArray());

    public static string Name(JsonElement o) => o.GetProperty("name").GetString()!;

    /// <summary>A property path's value, or null when any step is missing.</summary>
    public static JsonElement? At(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
        }

        return e;
    }
}
