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
// Piped output is read by programs and by people with wide windows: tables keep every header whole rather than fit 120 columns.
if (!interactive) console.Profile.Width = CliContext.PipedWidth;
var context = new CliContext { Console = console, Out = Console.Out, Error = Console.Error, Interactive = interactive };
return CliApp.Run(args, context);
