using Ballast.Cli;
using Spectre.Console;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>Runs the ballast CLI in-process over string writers, with the repository root as the working directory.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Err) Run(params string[] args) => RunIn(TestPaths.RepoRoot, args);

    public static (int Exit, string Out, string Err) RunIn(string workingDirectory, params string[] args) => RunIn(workingDirectory, false, args);

    /// <summary>As <see cref="RunIn(string, string[])"/>; <paramref name="interactive"/> makes the console a colour terminal (progress bars).</summary>
    public static (int Exit, string Out, string Err) RunIn(string workingDirectory, bool interactive, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(stdout),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = interactive ? 160 : CliContext.PipedWidth;
        var context = new CliContext { Console = console, Out = stdout, Error = stderr, WorkingDirectory = workingDirectory, Interactive = interactive };
        var exit = CliApp.Run(args, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
