namespace Ballast.Backtest.Tests;

/// <summary>Locates the repository root (the folder with Ballast.slnx) and the shared data beside it.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string SharedData(string relative) => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", relative));

    public static string InRepo(string relative) => Path.GetFullPath(Path.Combine(RepoRoot, relative));

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ballast-backtest-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string WriteTemp(string fileName, string text)
    {
        var path = Path.Combine(TempDirectory(), fileName);
        File.WriteAllText(path, text);
        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ballast.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Ballast.slnx not found above " + AppContext.BaseDirectory);
    }
}
