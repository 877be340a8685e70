namespace Cloudwall.Rx.Tests.Unit.TestSupport;

/// <summary>The repository the tests run from: its root is the folder holding Cloudwall.Rx.sln.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cloudwall.Rx.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("repository root (Cloudwall.Rx.sln) not found");
    }
}
