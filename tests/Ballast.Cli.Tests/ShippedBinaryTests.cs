using System.Diagnostics;
using System.Text.Json;
using Ballast.Store;

namespace Ballast.Cli.Tests;

/// <summary>
/// CLI scenarios run against a built <c>ballast</c> as a separate process, as a user runs it. The binary is the one
/// named by <c>BALLAST_CLI_BINARY</c> (<c>.ci/test.sh</c> sets it to the Native AOT build in <c>dist/</c>), else the
/// JIT apphost built beside these tests. What differs in a shipped native build (trimming, no run-time code
/// generation, embedded resources, the native SQLite library beside the binary) is exercised here end to end.
/// </summary>
public sealed class ShippedBinaryTests : IDisposable
{
    public const string Variable = "BALLAST_CLI_BINARY";
    private readonly string _dir = Directory.CreateTempSubdirectory("ballast-shipped-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>The binary under test, and whether it was named by <see cref="Variable"/> (a Native AOT build).</summary>
    internal static (string Path, bool Native) Binary()
    {
        var named = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(named))
        {
            var full = Path.GetFullPath(named, Ballast.Testing.RepositoryPaths.Root);
            Assert.True(File.Exists(full), $"{Variable}={named}: no such file");
            return (full, true);
        }
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ballast.exe" : "ballast");
        Assert.True(File.Exists(apphost), $"the ballast apphost is missing from {AppContext.BaseDirectory}");
        return (apphost, false);
    }

    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    private (int Exit, string Out, string Err) Run(params string[] args) => RunIn(_dir, args);

    private static (int Exit, string Out, string Err) RunIn(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(Binary().Path)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"ballast {string.Join(' ', args)} did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Version_names_the_embedded_SQLite_and_the_build()
    {
        var (exit, stdout, _) = Run("--version");

        Assert.Equal(0, exit);
        Assert.StartsWith("ballast 0.", stdout, StringComparison.Ordinal);
        Assert.Contains($"SQLite {BallastStore.SqliteVersion}", stdout, StringComparison.Ordinal);
        Assert.Contains(Binary().Native ? "Native AOT" : "JIT", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_on_the_example_exits_one_with_the_reasons()
    {
        var (exit, stdout, stderr) = Run("check", Example("sixty-forty.yaml"));

        Assert.Equal(1, exit);
        Assert.Equal("", stderr);
        Assert.Contains("VTI at 71.01% is above its band 55.00%..65.00%", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_json_is_one_document_with_the_trades()
    {
        var (exit, stdout, _) = Run("plan", Example("krw-portfolio.yaml"), "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(10_000_000m, doc.RootElement.GetProperty("totalValue").GetDecimal());
        Assert.Contains(doc.RootElement.GetProperty("trades").EnumerateArray(), t => t.GetProperty("ticker").GetString() == "VOO");
    }

    [Fact]
    public void Backtest_prints_every_policy_and_writes_a_report_with_its_charts()
    {
        var report = Path.Combine(_dir, "report.html");

        var (exit, stdout, stderr) = Run("backtest", Example("backtest-60-40-long.yaml"), "--report", report);

        Assert.True(exit == 0, stderr);
        foreach (var policy in new[] { "never", "monthly", "quarterly", "annual", "5/25 bands" }) Assert.Contains(policy, stdout, StringComparison.Ordinal);
        var html = File.ReadAllText(report);
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Chart.js", html, StringComparison.Ordinal); // the embedded chart library made it into the binary
    }

    [Fact]
    public void Simulate_runs_on_both_cores()
    {
        var (exit, stdout, stderr) = Run("simulate", Example("simulate-60-40.yaml"), "--paths", "200", "--json");

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public void Bad_input_exits_two_with_one_line_per_problem()
    {
        Write("bad.yaml", "holdings: [ { ticker: A, value: -5 } ]\ntargets: { A: 120% }\n");

        var (missing, _, missingErr) = Run("check", "no-such-file.yaml");
        var (bad, badOut, badErr) = Run("check", "bad.yaml");
        var (flag, _, flagErr) = Run("plan", Example("krw-portfolio.yaml"), "--absolute", "lots");

        Assert.Equal(2, missing);
        Assert.StartsWith("ballast: error:", missingErr, StringComparison.Ordinal);
        Assert.Equal(2, bad);
        Assert.Equal("", badOut);
        Assert.All(badErr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("ballast:", line, StringComparison.Ordinal));
        Assert.Equal(2, flag);
        Assert.Contains("--absolute", flagErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", badErr + missingErr + flagErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_SQLite_store_is_created_loaded_checked_and_verified()
    {
        var db = Path.Combine(_dir, "ballast.db");
        Write("prices.csv", "date,VTI,BND\n2025-06-27,300,75\n2025-06-30,310,74\n");
        Write("policy.yaml", "{ look: daily, trigger: threshold, absolute: 5% }\n");
        Write("accounts.csv", "account,type,currency,household,model\nalice,taxable,USD,smith,sixty\nbob,tax-deferred,USD,smith,sixty\n");
        Write("positions.csv", "account,ticker,quantity,cost_basis\nalice,VTI,20,5000\nalice,BND,53,4000\nalice,CASH,0,\nbob,VTI,30,7000\nbob,BND,10,800\nbob,CASH,0,\n");
        string[][] steps =
        [
            ["init"], ["prices", "import", "prices.csv"], ["model", "set", "sixty", "--targets", "VTI=60%,BND=40%", "--policy-file", "policy.yaml"],
            ["import", "accounts", "accounts.csv"], ["import", "positions", "positions.csv", "--as-of", "2025-06-30"],
        ];
        foreach (var step in steps)
        {
            var (code, _, err) = Run([.. step, "--db", db]);
            Assert.True(code == 0, $"ballast {string.Join(' ', step)} exited {code}: {err}");
        }

        var (exit, stdout, _) = Run("check", "--all", "--as-of", "2025-06-30", "--json", "--db", db);
        Assert.Equal(1, exit);
        using (var doc = JsonDocument.Parse(stdout))
        {
            Assert.Equal(2, doc.RootElement.GetProperty("accounts").GetInt32());
            Assert.Equal("bob", Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray()).GetProperty("account").GetString());
        }

        var (deposit, _, depositErr) = Run("deposit", "100", "--account", "alice", "--date", "2025-06-30", "--db", db);
        Assert.True(deposit == 0, depositErr);
        var (verify, verifyOut, _) = Run("verify", "--db", db);
        Assert.Equal(0, verify);
        Assert.Contains("ok: ", verifyOut, StringComparison.Ordinal);
        Assert.Contains($"on SQLite {BallastStore.SqliteVersion}", verifyOut, StringComparison.Ordinal);

        var (history, historyOut, _) = Run("history", "--account", "alice", "--db", db);
        Assert.Equal(0, history);
        Assert.Contains("deposit", historyOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Bash_completion_offers_commands_and_options()
    {
        if (!File.Exists("/bin/bash")) return;
        var (exit, script, _) = Run("completion", "bash");
        Assert.Equal(0, exit);
        var file = Write("ballast.bash", script);

        string Complete(string line)
        {
            var words = line.Split(' ');
            var probe = $$"""
                source '{{file}}'
                COMP_LINE='{{line}}'; COMP_POINT={{line.Length}}; COMP_WORDS=({{string.Join(' ', words.Select(w => $"'{w}'"))}}); COMP_CWORD={{words.Length - 1}}
                _ballast_complete '{{Binary().Path}}'
                printf '%s\n' "${COMPREPLY[@]}"
                """;
            var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            using var bash = Process.Start(info)!;
            bash.StandardInput.Write(probe);
            bash.StandardInput.Close();
            var output = bash.StandardOutput.ReadToEnd();
            bash.WaitForExit();
            return output;
        }

        string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["backtest"], Lines(Complete("ballast ba")));
        var all = Lines(Complete("ballast "));
        Assert.Contains("check", all);
        Assert.Contains("completion", all);
        Assert.DoesNotContain(all, c => c.StartsWith('-') || c.StartsWith('/'));
        var options = Lines(Complete("ballast check --a"));
        Assert.Contains("--absolute", options);
        Assert.Contains("--as-of", options);
        Assert.DoesNotContain("--json", options);
        Assert.Equal(["bash", "zsh"], Lines(Complete("ballast completion ")));
        Assert.Empty(Lines(Complete("ballast check "))); // a file goes here: bash completes file names (-o default)
    }

    [Fact]
    public void Zsh_completion_offers_commands_options_and_else_files()
    {
        if (!File.Exists("/usr/bin/zsh") && !File.Exists("/bin/zsh")) return; // zsh is not a test dependency
        var (exit, script, _) = Run("completion", "zsh");
        Assert.Equal(0, exit);
        var file = Write("ballast.zsh", script);

        string Complete(string line)
        {
            var words = line.Split(' ');
            var probe = $$"""
                compdef() { : }
                compadd() { shift; print -l -- "$@" }
                _files() { print FILES }
                source '{{file}}'
                words=('{{Binary().Path}}' {{string.Join(' ', words.Skip(1).Select(w => $"'{w}'"))}}); CURRENT={{words.Length}}; PREFIX='{{words[^1]}}'
                _ballast
                """;
            var info = new ProcessStartInfo(File.Exists("/usr/bin/zsh") ? "/usr/bin/zsh" : "/bin/zsh")
            {
                RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false,
            };
            using var zsh = Process.Start(info)!;
            zsh.StandardInput.Write(probe);
            zsh.StandardInput.Close();
            var output = zsh.StandardOutput.ReadToEnd();
            zsh.WaitForExit();
            return output;
        }

        Assert.Equal("backtest\n", Complete("ballast ba"));
        Assert.Contains("--as-of\n", Complete("ballast check --a"), StringComparison.Ordinal);
        Assert.Equal("FILES\n", Complete("ballast check ex"));
    }
}
