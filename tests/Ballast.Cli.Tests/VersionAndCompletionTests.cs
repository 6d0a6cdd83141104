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

    [Theory]
    [InlineData("bash", "complete -o default -o bashdefault -F _ballast_complete ballast")]
    [InlineData("zsh", "compdef _ballast ballast")]
    public void Completion_prints_a_script_that_asks_the_binary(string shell, string registers)
    {
        var (exit, stdout, _) = _cli.Run("completion", shell);

        Assert.Equal(0, exit);
        Assert.Contains(registers, stdout, StringComparison.Ordinal);
        Assert.Contains("[suggest:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Completion_of_another_shell_is_bad_input()
    {
        Assert.Equal(2, _cli.Run("completion", "fish").Exit);
    }

    [Fact]
    public void The_suggest_directive_lists_commands_and_option_values()
    {
        Assert.Equal("backtest" + Environment.NewLine, _cli.Run("[suggest:10]", "ballast ba").Out);
        Assert.Contains("tune", _cli.Run("[suggest:8]", "ballast ").Out.Split(Environment.NewLine));
        Assert.Contains("zsh", _cli.Run("[suggest:19]", "ballast completion ").Out.Split(Environment.NewLine));
    }
}
