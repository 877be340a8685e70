using System.Text.Json;
using static Cloudwall.Rx.Tests.Unit.Deploy.DeployTools;

namespace Cloudwall.Rx.Tests.Unit.Deploy;

/// <summary>
/// Every pod of every kustomization meets the restricted Pod Security Standard (runAsNonRoot with a numeric non-root user,
/// RuntimeDefault seccomp, no privilege escalation, all capabilities dropped) plus a read-only root filesystem with an
/// emptyDir at /tmp, and runs a version-tagged image.
/// </summary>
public sealed class PodSecurityTests
{
    [Theory]
    [MemberData(nameof(KustomizationNames), MemberType = typeof(DeployTools))]
    public void Every_pod_meets_the_restricted_Pod_Security_Standard(string kustomization)
    {
        var problems = new List<string>();
        var pods = 0;
        foreach (var (workload, pod) in PodSpecs(Render(kustomization)))
        {
            pods++;
            problems.AddRange(Check(workload, pod));
        }

        Assert.Equal(3, pods);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void A_pod_without_the_settings_fails_the_check()
    {
        using var doc = JsonDocument.Parse("""{"containers":[{"name":"c","image":"cloudwall-rx:latest","securityContext":{"runAsUser":0}}]}""");
        var problems = Check("test", doc.RootElement).ToList();
        Assert.Contains(problems, p => p.Contains("runAsNonRoot", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("seccompProfile", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("allowPrivilegeEscalation", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("capabilities", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("readOnlyRootFilesystem", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("runAsUser", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("version tag", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("/tmp", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Check(string workload, JsonElement pod)
    {
        var podSc = At(pod, "securityContext");
        if (At(pod, "hostNetwork") is { ValueKind: JsonValueKind.True } || At(pod, "hostPID") is { ValueKind: JsonValueKind.True } || At(pod, "hostIPC") is { ValueKind: JsonValueKind.True })
            yield return $"{workload}: host namespaces are shared";
        foreach (var c in Containers(pod))
        {
            var where = $"{workload} container {Name(c)}";
            var sc = At(c, "securityContext");

            // Container settings win over the pod's; either place satisfies the standard.
            JsonElement? Effective(string key) => (sc is { } s ? At(s, key) : null) ?? (podSc is { } p ? At(p, key) : null);

            if (Effective("runAsNonRoot") is not { ValueKind: JsonValueKind.True })
                yield return $"{where}: runAsNonRoot is not true";
            foreach (var id in new[] { "runAsUser", "runAsGroup" })
            {
                if (Effective(id) is not { ValueKind: JsonValueKind.Number } n || n.GetInt64() <= 0)
                    yield return $"{where}: {id} is not a numeric non-root id";
            }

            if (Effective("seccompProfile") is not { } seccomp || At(seccomp, "type")?.GetString() is not ("RuntimeDefault" or "Localhost"))
                yield return $"{where}: seccompProfile.type is not RuntimeDefault";
            if (sc is null || At(sc.Value, "allowPrivilegeEscalation") is not { ValueKind: JsonValueKind.False })
                yield return $"{where}: allowPrivilegeEscalation is not false";
            if (sc is not null && At(sc.Value, "privileged") is { ValueKind: JsonValueKind.True })
                yield return $"{where}: privileged";
            var drop = sc is null ? null : At(sc.Value, "capabilities", "drop");
            if (drop is null || !drop.Value.EnumerateArray().Any(d => d.GetString() == "ALL"))
                yield return $"{where}: capabilities.drop does not include ALL";
            if (sc is not null && At(sc.Value, "capabilities", "add") is { } add && add.EnumerateArray().Any(a => a.GetString() != "NET_BIND_SERVICE"))
                yield return $"{where}: capabilities.add beyond NET_BIND_SERVICE";
            if (sc is null || At(sc.Value, "readOnlyRootFilesystem") is not { ValueKind: JsonValueKind.True })
                yield return $"{where}: readOnlyRootFilesystem is not true";
            if (!MountsEmptyDirAtTmp(pod, c))
                yield return $"{where}: no emptyDir mounted at /tmp (the root filesystem is read-only)";
            var image = c.GetProperty("image").GetString() ?? "";
            var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
            if (tag is null or "latest")
                yield return $"{where}: image '{image}' has no version tag";
        }
    }

    private static bool MountsEmptyDirAtTmp(JsonElement pod, JsonElement container)
    {
        var mount = At(container, "volumeMounts")?.EnumerateArray().FirstOrDefault(m => m.GetProperty("mountPath").GetString() == "/tmp");
        if (mount is not { ValueKind: JsonValueKind.Object } m) return false;
        var volume = At(pod, "volumes")?.EnumerateArray().FirstOrDefault(v => Name(v) == m.GetProperty("name").GetString());
        return volume is { ValueKind: JsonValueKind.Object } v && v.TryGetProperty("emptyDir", out _);
    }
}
