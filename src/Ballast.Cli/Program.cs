using Ballast.Cli;
using Spectre.Console;

var interactive = !Console.IsOutputRedirected
    && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
    && Environment.GetEnvironmentVariable("TERM") != "dumb";
var console = AnsiConsole.Create(new AnsiConsoleSettings
{
    Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
    ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    Out = new AnsiConsoleOutput(Console.Out),
});
if (!interactive) console.Profile.Width = 120;
var context = new CliContext { Console = console, Out = Console.Out, Error = Console.Error, Interactive = interactive };
return CliApp.Run(args, context);
