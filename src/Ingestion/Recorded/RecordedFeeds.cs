namespace Cloudwall.Rx.Ingestion.Recorded;

/// <summary>
/// Finds the recorded venue feeds. They are never copied into the repository: the folder comes from
/// <see cref="EnvironmentVariable"/> when set, otherwise <c>../shared/data/recorded/</c> relative to the repository root
/// (the folder holding <see cref="SolutionFile"/>).
/// </summary>
public static class RecordedFeeds
{
    public const string EnvironmentVariable = "RECORDED_FEEDS_DIR";
    public const string SolutionFile = "Cloudwall.Rx.sln";

    /// <summary>The folder relative to the repository root, used when <see cref="EnvironmentVariable"/> is not set.</summary>
    public static readonly string RelativeToRepoRoot = Path.Combine("..", "shared", "data", "recorded");

    /// <summary>Why <see cref="Locate"/> may find nothing; recorded-feed tests skip with this text.</summary>
    public static string MissingReason =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { } set && !string.IsNullOrWhiteSpace(set)
            ? $"recorded feeds not found: {EnvironmentVariable}={set} is not a folder"
            : $"recorded feeds not found: set {EnvironmentVariable} or put them at {RelativeToRepoRoot.Replace('\\', '/')}/ relative to the repository root";

    /// <summary>The recorded-data folder, or null when it does not exist.</summary>
    public static string? Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            // An explicit setting wins even when wrong: falling back would hide the mistake.
            return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        }

        var root = FindRepoRoot();
        if (root is null)
        {
            return null;
        }

        var folder = Path.GetFullPath(Path.Combine(root, RelativeToRepoRoot));
        return Directory.Exists(folder) ? folder : null;
    }

    /// <summary>A file inside the recorded-data folder (e.g. <c>coinbase/COINBASE.ws.28.0</c>), or null when it is missing.</summary>
    public static string? LocateFile(string relativePath)
    {
        var folder = Locate();
        if (folder is null)
        {
            return null;
        }

        var file = Path.Combine(folder, relativePath);
        return File.Exists(file) ? file : null;
    }

    /// <summary>
    /// The repository root: the nearest folder holding <see cref="SolutionFile"/>, walking up from the current directory
    /// and then from <see cref="AppContext.BaseDirectory"/>.
    /// </summary>
    public static string? FindRepoRoot() =>
        WalkUp(Directory.GetCurrentDirectory()) ?? WalkUp(AppContext.BaseDirectory);

    private static string? WalkUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
