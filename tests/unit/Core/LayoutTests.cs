using System.Text.RegularExpressions;
using Cloudwall.Rx.Tests.Unit.TestSupport;

namespace Cloudwall.Rx.Tests.Unit.Core;

/// <summary>A reader knows from the folder which layer and part a file belongs to: every file's namespace is its folder.</summary>
public sealed partial class LayoutTests
{
    [GeneratedRegex(@"^namespace ([A-Za-z0-9_.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [Fact]
    public void Every_source_file_s_namespace_is_its_folder()
    {
        var root = Repository.Root;
        var src = Path.Combine(root, "src");
        var wrong = new List<string>();
        var files = 0;
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Contains("obj") || parts.Contains("bin")) continue;
            var m = Namespace().Match(File.ReadAllText(file));
            if (!m.Success) continue; // assembly attributes, top-level Program.cs
            files++;
            var expected = "Cloudwall.Rx." + string.Join('.', parts[..^1]);
            if (m.Groups[1].Value != expected) wrong.Add($"src/{relative.Replace('\\', '/')}: {m.Groups[1].Value}, expected {expected}");
        }

        Assert.True(files > 200, $"only {files} files read under {src}");
        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
    }
}
