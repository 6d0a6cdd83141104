namespace Ballast.Backtest.Tests;

/// <summary>Locates the repository root (the folder with Ballast.slnx) and the shared data beside it.</summary>
internal static class TestPaths
{
    public static string RepoRoot => Ballast.Testing.RepositoryPaths.Root;

    public static string SharedData(string relative) => Ballast.Testing.RepositoryPaths.SharedData(relative);

    public static string InRepo(string relative) => Ballast.Testing.RepositoryPaths.InRepo(relative);

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
}
