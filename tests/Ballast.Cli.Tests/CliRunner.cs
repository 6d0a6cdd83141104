using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary>Runs the CLI in-process over string writers, in a temporary working directory holding the given files.</summary>
internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Directory = Path.Combine(Path.GetTempPath(), "ballast-cli-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>The clock every run sees (2025-07-01 12:00 UTC unless a test moves it).</summary>
    public DateTimeOffset Now { get; set; } = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The console width tables render at.</summary>
    public int Width { get; set; } = 160;

    /// <summary>A store every run is given as <c>--db</c>, or null.</summary>
    public string? Db { get; set; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public (int Exit, string Out, string Err) Run(params string[] args) => RunWith(null, args);

    /// <summary>Environment variables the commands see instead of the process's (others come from the process).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>As <see cref="Run"/>, with commands added to the tree by <paramref name="extend"/>.</summary>
    public (int Exit, string Out, string Err) RunWith(Action<System.CommandLine.RootCommand>? extend, params string[] args)
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
        console.Profile.Width = Width;
        var context = new CliContext
        {
            Console = console, Out = stdout, Error = stderr, WorkingDirectory = Directory,
            Time = new FixedClock(Now),
            Environment = name => Environment.TryGetValue(name, out var value) ? value : System.Environment.GetEnvironmentVariable(name),
        };
        var exit = CliApp.Run(Db is null ? args : [.. args, "--db", Db], context, extend);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command that must succeed (exit 0) and returns its standard output.</summary>
    public string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
