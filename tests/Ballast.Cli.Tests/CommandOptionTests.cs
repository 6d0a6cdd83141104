using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>
/// Each command takes only the options that apply to it, and every flag has a range: a bad value is exit 2 with one
/// line naming the flag or path, found before anything runs, and never a stack trace.
/// </summary>
public sealed class CommandOptionTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    /// <summary>Exit 2, nothing on stdout, and one message line (besides the pointer to --help) that contains <paramref name="expected"/>.</summary>
    private string Refused(string expected, params string[] args)
    {
        var (exit, stdout, stderr) = _cli.Run(args);
        Assert.True(exit == 2, $"exit {exit}: {stderr}");
        Assert.Equal("", stdout);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("Run 'ballast", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, stderr);
        Assert.StartsWith("ballast: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        return lines[0];
    }

    [Fact]
    public void TaxCommands_OnAModelsAccounts_AreAUsageError()
    {
        Refused("lots reads one household's lots and history: use --account, --household or --all, not --model", "lots", "--model", "sixty");
    }

    [Fact]
    public void TaxCommands_WithoutAFileOrAStoreSelection_AskForOne()
    {
        Refused("give a portfolio file, or --account, --household or --all to use the store", "lots");
    }

    [Theory]
    [InlineData("lots", "--trigger", "never")]
    [InlineData("lots", "--absolute", "5%")]
    [InlineData("tax", "--look", "monthly")]
    [InlineData("tax", "--whole-shares")]
    [InlineData("harvest", "--min-trade", "10")]
    [InlineData("lots", "--deposit", "100")]
    public void TaxCommands_RefuseOverridesTheyDoNotUse(string command, string flag, params string[] value)
    {
        var (exit, _, stderr) = _cli.Run([command, Example("household.yaml"), flag, .. value]);

        Assert.Equal(2, exit);
        Assert.Contains($"Unrecognized command or argument '{flag}'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check", "--paths", "5")]
    [InlineData("plan", "--year", "2025")]
    [InlineData("check", "--deposit", "100")]
    [InlineData("backtest", "--trigger", "never")]
    [InlineData("backtest", "--db", "ballast.db")]
    public void OptionsOfOtherCommands_AreRefused(string command, string flag, string value)
    {
        var file = command == "backtest" ? Example("backtest-spy-agg.yaml") : Example("krw-portfolio.yaml");
        var (exit, _, stderr) = _cli.Run(command, file, flag, value);

        Assert.Equal(2, exit);
        Assert.Contains($"Unrecognized command or argument '{flag}'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1", "--stale-days must not be negative (got -1)")]
    [InlineData("abc", "--stale-days: 'abc' is not a whole number from 0 to 36,500")]
    [InlineData("99999999999", "--stale-days must be at most 36,500 (got 99999999999)")]
    public void StaleDays_OutOfRange_IsRefusedNamingTheFlag(string value, string expected)
    {
        Refused(expected, "check", "--all", "--stale-days", value);
    }

    [Fact]
    public void StaleDays_WithAFile_IsRefused()
    {
        Refused("--stale-days applies to stored accounts", "check", Example("krw-portfolio.yaml"), "--stale-days", "3");
    }

    [Fact]
    public void Normalize_WithStoredAccounts_IsRefused()
    {
        Refused("--normalize rescales a portfolio file's targets", "check", "--all", "--normalize");
    }

    [Theory]
    [InlineData("--max-realized-gain", "-5", "--max-realized-gain: must not be negative (got -5)")]
    [InlineData("--deposit", "-5", "--deposit: must not be negative (got -5)")]
    [InlineData("--min-trade", "-1", "--min-trade: must not be negative (got -1)")]
    [InlineData("--reserve", "1e30", "--reserve: '1e30' is too large")]
    [InlineData("--commission", "NaN", "--commission: 'NaN' is not a number")]
    public void PlanAmountFlags_OutOfRange_AreRefusedNamingTheFlag(string flag, string value, string expected)
    {
        Refused(expected, "plan", Example("household.yaml"), flag, value);
    }

    [Theory]
    [InlineData("--deposit")]
    [InlineData("--withdraw")]
    [InlineData("--min-trade")]
    [InlineData("--reserve")]
    [InlineData("--max-realized-gain")]
    public void NegativeZero_IsZero(string flag)
    {
        // decimal keeps the sign of -0, which the planner's argument checks took for a negative amount (an internal error).
        var zero = _cli.Run("plan", Example("krw-portfolio.yaml"), flag, "0", "--json");
        var (exit, stdout, stderr) = _cli.Run("plan", Example("krw-portfolio.yaml"), flag, "-0", "--json");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        Assert.Equal(zero.Out, stdout);
    }

    [Fact]
    public void HarvestThreshold_AboveOneHundredPercent_IsRefused()
    {
        Refused("--min-loss-percent: must be from 0% to 100% (got 1e27)", "harvest", Example("household.yaml"), "--min-loss-percent", "1e27");
    }

    [Theory]
    [InlineData("simulate", "--paths", "abc", "--paths: 'abc' is not a whole number from 1 to 10,000,000")]
    [InlineData("simulate", "--paths", "3000000000", "--paths must be at most 10,000,000 (got 3000000000)")]
    [InlineData("simulate", "--paths", "0", "--paths must be at least 1 (got 0)")]
    [InlineData("simulate", "--paths", "1e3", "--paths: '1e3' is not a whole number")]
    [InlineData("simulate", "--seed", "-1", "--seed must not be negative (got -1)")]
    [InlineData("tune", "--paths", "", "--paths: '' is not a whole number")]
    [InlineData("tune", "--seed", "2147483648", "--seed must be at most 2,147,483,647 (got 2147483648)")]
    [InlineData("tune", "--paths", "99999999999999999999", "--paths: '99999999999999999999' is not a whole number from 1 to 10,000,000")]
    public void SimulationCounts_OutOfRange_AreRefusedNamingTheFlag(string command, string flag, string value, string expected)
    {
        Refused(expected, command, Example("tune-paths.yaml"), flag, value);
    }

    [Theory]
    [InlineData("audit", "--limit", "0", "--limit must be at least 1 (got 0)")]
    [InlineData("audit", "--limit", "many", "--limit: 'many' is not a whole number from 1 to 1,000,000")]
    [InlineData("orders", "export", "abc", "PROPOSAL: 'abc' is not a whole number")]
    [InlineData("orders", "export", "-3", "PROPOSAL must be at least 1 (got -3)")]
    [InlineData("deposit", "abc", "--account", "AMOUNT: 'abc' is not a number")]
    [InlineData("withdraw", "-5", "--account", "AMOUNT: must be greater than zero (got -5)")]
    public void StoreCommandNumbers_OutOfRange_AreRefused(string a, string b, string c, string expected)
    {
        string[] args = c == "--account" ? [a, b, c, "alice"] : [a, b, c];
        Refused(expected, [.. args, "--db", Path.Combine(_cli.Directory, "none.db")]);
    }

    public static TheoryData<string, string[]> ReportCommands => new()
    {
        { "backtest", [Example("backtest-spy-agg.yaml")] },
        { "simulate", [Example("simulate-60-40.yaml"), "--paths", "5"] },
        { "tune", [Example("tune-bands.yaml")] },
    };

    [Theory]
    [MemberData(nameof(ReportCommands))]
    public void Report_InAMissingFolder_IsRefusedBeforeTheRun(string command, string[] args)
    {
        Refused("--report: cannot write nowhere/report.html: the folder", [command, .. args, "--report", "nowhere/report.html"]);
    }

    [Theory]
    [MemberData(nameof(ReportCommands))]
    public void Report_ThatIsAFolder_IsRefusedBeforeTheRun(string command, string[] args)
    {
        Directory.CreateDirectory(Path.Combine(_cli.Directory, "out"));
        Refused("--report: out is a folder; give a file name", [command, .. args, "--report", "out"]);
    }

    [Theory]
    [MemberData(nameof(ReportCommands))]
    public void Report_ThatCannotBeWritten_IsRefused(string command, string[] args)
    {
        if (ReadOnlyPath() is not { } path) return;
        Refused($"--report: cannot write {path}", [command, .. args, "--report", path]);
    }

    [Fact]
    public void Report_EmptyPath_IsRefused()
    {
        Refused("--report: the path is empty", "backtest", Example("backtest-spy-agg.yaml"), "--report", "");
    }

    [Fact]
    public void OrdersOutput_InAMissingFolder_IsRefusedBeforeTheStoreIsOpened()
    {
        Refused("--output: cannot write nowhere/orders.csv: the folder", "orders", "export", "1", "--csv", "--output", "nowhere/orders.csv", "--db", Path.Combine(_cli.Directory, "none.db"));
    }

    [Fact]
    public void Export_ToAMissingFolder_IsRefusedBeforeTheStoreIsOpened()
    {
        Refused("PATH: cannot write nowhere/alice.yaml: the folder", "export", "nowhere/alice.yaml", "--account", "alice", "--db", Path.Combine(_cli.Directory, "none.db"));
    }

    [Fact]
    public void Init_InAMissingFolder_IsRefused()
    {
        Refused("--db: cannot create the store nowhere/ballast.db: the folder", "init", "--db", "nowhere/ballast.db");
    }

    [Fact]
    public void Init_OnAFolder_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_cli.Directory, "stores"));
        Refused("--db: stores is a folder; give the store's file name", "init", "--db", "stores");
    }

    [Fact]
    public void BooleanFlagWithABadValue_IsAUsageError()
    {
        var (exit, _, stderr) = _cli.Run("plan", Example("krw-portfolio.yaml"), "--json=maybe", "--csv");

        Assert.Equal(2, exit);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AsOf_WhenTheFileHasOne_WarnsThatTheFileWins()
    {
        var (exit, stdout, stderr) = _cli.Run("check", Example("krw-portfolio.yaml"), "--as-of", "2025-01-02", "--json");

        Assert.Equal(1, exit);
        Assert.Contains("ballast: warning: ", stderr, StringComparison.Ordinal);
        Assert.Contains("gives asOf 2025-06-30, which wins; --as-of 2025-01-02 applies only to a file without asOf", stderr, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("2025-06-30", doc.RootElement.GetProperty("asOf").GetString());
    }

    [Fact]
    public void AsOf_WhenTheFileHasNone_IsUsedWithoutAWarning()
    {
        _cli.Write("undated.yaml", "holdings: [ { ticker: A, value: 500 }, { ticker: B, value: 500 } ]\ntargets: { A: 50%, B: 50% }\n");

        var (exit, stdout, stderr) = _cli.Run("check", "undated.yaml", "--as-of", "2025-01-02", "--json");

        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("2025-01-02", doc.RootElement.GetProperty("asOf").GetString());
    }

    [Fact]
    public void HeldTickerWithoutTarget_IsWarnedInTheTableToo()
    {
        _cli.Write("extra.yaml", "asOf: 2025-06-30\nholdings: [ { ticker: A, value: 500 }, { ticker: B, value: 400 }, { ticker: OLD, quantity: 2.5, price: 40 } ]\ntargets: { A: 50%, B: 50% }\n");

        foreach (var command in new[] { "check", "plan" })
        {
            var (_, stdout, _) = _cli.Run(command, "extra.yaml");
            Assert.Contains("warning: OLD is held but has no target; a rebalance sells it in full", stdout, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// A file this process cannot write: a read-only file for an ordinary user; for root, who may write any file,
    /// a read-only sysfs attribute. Null when there is none (then the case cannot be tried here).
    /// </summary>
    private string? ReadOnlyPath()
    {
        if (OperatingSystem.IsWindows()) return null;
        if (!Environment.IsPrivilegedProcess)
        {
            var path = _cli.Write("locked.html", "");
            File.SetUnixFileMode(path, UnixFileMode.UserRead);
            return path;
        }
        return new[] { "/sys/devices/system/cpu/online", "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size" }.FirstOrDefault(File.Exists);
    }
}
