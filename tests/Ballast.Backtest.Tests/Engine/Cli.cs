using Ballast.Cli;
using Spectre.Console;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>Runs the ballast CLI in-process over string writers, with the repository root as the working directory.</summary>
internal static class Cli
{
    public static (int Exit, string Out, string Err) Run(params string[] args) => RunIn(TestPaths.RepoRoot, args);

    public static (int Exit, string Out, string Err) RunIn(string workingDirectory, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(stdout),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        var context = new CliContext { Console = console, Out = stdout, Error = stderr, WorkingDirectory = workingDirectory };
        var exit = CliApp.Run(args, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
