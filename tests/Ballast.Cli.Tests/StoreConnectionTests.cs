namespace Ballast.Cli.Tests;

/// <summary>
/// A store that cannot be reached or used is one line on standard error with a documented exit code, never a trace:
/// 3 when retrying may help (an unreachable server), 2 when something must be fixed first. On every command, init included.
/// </summary>
public sealed class StoreConnectionTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static readonly string[][] Commands =
    [
        ["init"], ["check", "--all"], ["plan", "--account", "a"], ["verify"], ["audit"], ["accounts", "list"], ["proposals", "list"],
        ["model", "list"], ["prices", "list"], ["deposit", "5", "--account", "a"],
    ];

    private void AssertOneLine(string db, int expected, string part)
    {
        foreach (var command in Commands)
        {
            var (exit, stdout, stderr) = _cli.Run([.. command, "--db", db]);
            var what = $"ballast {string.Join(' ', command)}";
            Assert.True(exit == expected, $"{what} exited {exit}: {stderr}");
            Assert.Equal("", stdout);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("ballast: error: ", stderr, StringComparison.Ordinal);
            Assert.Contains(part, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ATextFileAsTheStore_IsExitTwo()
    {
        _cli.Write("notes.db", "these are notes, not a database\n");
        AssertOneLine("notes.db", 2, "is not an SQLite database");
    }

    [Fact]
    public void AReadOnlyStore_RefusesWrites_WithExitTwo()
    {
        var db = Path.Combine(_cli.Directory, "ro.db");
        Assert.Equal(0, _cli.Run("init", "--db", db).Exit);
        Assert.Equal(0, _cli.Run("prices", "import", _cli.Write("p.csv", "date,ticker,close\n2025-06-30,VTI,300\n"), "--db", db).Exit);
        var (exit, _, stderr) = _cli.Run("prices", "import", _cli.Write("q.csv", "date,ticker,close\n2025-06-30,VTI,301\n"), "--db", $"Data Source={db};Mode=ReadOnly");
        Assert.Equal(2, exit);
        Assert.Equal("ballast: error: the store ro.db is read-only (file or folder permissions, or a read-only mount); nothing was written",
            stderr.TrimEnd('\n').Replace(db, "ro.db", StringComparison.Ordinal));
        // Reading a read-only store works.
        Assert.Equal(0, _cli.Run("prices", "list", "--db", $"Data Source={db};Mode=ReadOnly").Exit);
    }

    [Fact]
    public void AnUnreachableServer_IsRetryableExitThree()
    {
        // Nothing listens on port 1 of the loopback interface: the connection is refused at once.
        AssertOneLine("Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d;Timeout=2", 3, "could not open the connection");
    }
}
