using System.Diagnostics;
using System.Text;

namespace Ballast.Store.Tests;

/// <summary>Runs tests/Ballast.Store.TestImporter as a separate process, reading its output line by line.</summary>
internal sealed class ImporterProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly System.Collections.Concurrent.BlockingCollection<string> _lines = [];

    private ImporterProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is null) _lines.CompleteAdding(); else _lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ImporterProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(HelperPath());
        foreach (var a in args) info.ArgumentList.Add(a);
        return new ImporterProcess(Process.Start(info)!);
    }

    private static string HelperPath()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = tfm.Parent!.Name;
        var path = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../Ballast.Store.TestImporter/bin", configuration, tfm.Name, "Ballast.Store.TestImporter.dll"));
        return File.Exists(path) ? path : throw new FileNotFoundException("build tests/Ballast.Store.TestImporter first", path);
    }

    /// <summary>Waits for a stdout line starting with <paramref name="prefix"/>; false when the process ends first.</summary>
    public bool WaitForLine(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (!_lines.TryTake(out var line, TimeSpan.FromMilliseconds(100)))
            {
                if (_lines.IsCompleted) return false;
                continue;
            }
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>SIGKILL, as <c>kill -9</c>: no cleanup runs in the child.</summary>
    public bool KillNow()
    {
        if (_process.HasExited) return false;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        return true;
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) { _process.Kill(true); throw new TimeoutException("importer did not finish"); }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(true);
        _process.Dispose();
        _lines.Dispose();
    }
}
