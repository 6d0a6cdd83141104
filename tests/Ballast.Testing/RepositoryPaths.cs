namespace Ballast.Testing;

/// <summary>The repository root (the folder holding Ballast.slnx), its examples, and the shared data beside it.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>A path inside the repository.</summary>
    public static string InRepo(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    /// <summary>A file under examples/.</summary>
    public static string Example(string name) => InRepo(Path.Combine("examples", name));

    /// <summary>A file of the market data kept beside the repository (../shared/data).</summary>
    public static string SharedData(string relative) => Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", relative));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ballast.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Ballast.slnx not found above " + AppContext.BaseDirectory);
    }
}
