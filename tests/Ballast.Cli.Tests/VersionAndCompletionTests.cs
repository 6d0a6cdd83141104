using Ballast.Store;

namespace Ballast.Cli.Tests;

public sealed class VersionAndCompletionTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Version_names_the_SQLite_the_store_embeds()
    {
        var (exit, stdout, _) = _cli.Run("--version");

        Assert.Equal(0, exit);
        Assert.Equal(CliApp.VersionText + Environment.NewLine, stdout);
        Assert.Contains($"(SQLite {BallastStore.SqliteVersion}, ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_names_the_store_and_its_database_version()
    {
        Assert.Equal(0, _cli.Run("init", "--db", "s.db").Exit);

        var (exit, stdout, _) = _cli.Run("verify", "--db", "s.db");

        Assert.Equal(0, exit);
        Assert.Contains($"on SQLite {BallastStore.SqliteVersion}", stdout, StringComparison.Ordinal);
    }
}
