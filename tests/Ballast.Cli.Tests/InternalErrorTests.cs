using System.CommandLine;
using Ballast.Input;
using Ballast.Store;

namespace Ballast.Cli.Tests;

/// <summary>
/// Whatever reaches the top of the CLI: an unexpected exception is exit 70 with one line on standard error (the full
/// trace only with --debug); input errors are exit 2 and a busy store exit 3, even when they arrive wrapped.
/// </summary>
public sealed class InternalErrorTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Adds a command <c>boom</c> whose action throws <paramref name="failure"/>.</summary>
    private static Action<RootCommand> Throwing(Exception failure) => root =>
    {
        var boom = new Command("boom");
        boom.SetAction((Func<ParseResult, int>)(_ => throw failure));
        root.Subcommands.Add(boom);
    };

    [Fact]
    public void ExceptionInAnAction_IsExit70_WithOneLineAndNoTrace()
    {
        var (exit, stdout, stderr) = _cli.RunWith(Throwing(new InvalidOperationException("the books do not balance\nsecond line")), "boom");

        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.Equal("", stdout);
        Assert.Equal("ballast: internal error: the books do not balance second line; rerun with --debug for details" + Environment.NewLine, stderr);
    }

    [Theory]
    [InlineData("boom", "--debug")]
    [InlineData("--debug", "boom")]
    public void Debug_PrintsTheFullTrace(params string[] args)
    {
        var (exit, _, stderr) = _cli.RunWith(Throwing(new InvalidOperationException("the books do not balance")), args);

        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.StartsWith("ballast: internal error: System.InvalidOperationException: the books do not balance", stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ExceptionInAValidator_IsExit70()
    {
        var (exit, _, stderr) = _cli.RunWith(root =>
        {
            var boom = new Command("boom");
            boom.Validators.Add(_ => throw new FormatException("bad state"));
            boom.SetAction(_ => 0);
            root.Subcommands.Add(boom);
        }, "boom");

        Assert.Equal(ExitCodes.InternalError, exit);
        Assert.Equal("ballast: internal error: bad state; rerun with --debug for details" + Environment.NewLine, stderr);
    }

    [Fact]
    public void InputErrorWrappedByAParallelRun_IsStillExit2()
    {
        var wrapped = new AggregateException(new InputException(new InputProblem("must be positive", "exp.yaml", 3, 5, "initial")));

        var (exit, _, stderr) = _cli.RunWith(Throwing(wrapped), "boom");

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("ballast: error: exp.yaml:3:5: initial: must be positive" + Environment.NewLine, stderr);
    }

    [Fact]
    public void BusyStore_IsExit3_WithOneLine()
    {
        var (exit, _, stderr) = _cli.RunWith(Throwing(new StoreBusyException("the store is busy; nothing was written, try again")), "boom");

        Assert.Equal(ExitCodes.Retryable, exit);
        Assert.Equal("ballast: error: the store is busy; nothing was written, try again" + Environment.NewLine, stderr);
    }

    [Fact]
    public void Debug_IsAcceptedByEveryCommand()
    {
        var (exit, _, stderr) = _cli.Run("plan", Ballast.Testing.RepositoryPaths.Example("krw-portfolio.yaml"), "--debug", "--csv");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("", stderr);
    }
}
