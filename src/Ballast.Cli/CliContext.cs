using Spectre.Console;

namespace Ballast.Cli;

/// <summary>
/// Everything a command touches outside its arguments: output streams, the clock, the environment
/// and the working directory. Tests build one over string writers; the program builds one over the console.
/// </summary>
public sealed class CliContext
{
    /// <summary>The width piped output renders at: wide enough that no table cuts a header, however many columns it has.</summary>
    public const int PipedWidth = 320;

    /// <summary>Rendered output (tables, charts). Plain text when not a terminal.</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>Raw standard output for machine formats (JSON, CSV).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: problems and warnings.</summary>
    public required TextWriter Error { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>True when output goes to a terminal that understands colour.</summary>
    public bool Interactive { get; init; }

    /// <summary>Resolves a path given on the command line against the working directory.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, WorkingDirectory);
}
