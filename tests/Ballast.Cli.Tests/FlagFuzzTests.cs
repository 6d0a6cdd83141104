namespace Ballast.Cli.Tests;

/// <summary>
/// Seeded flag combinations for every command over the shipped examples (and, for the store commands, a small SQLite
/// store): each command's own options, now and then an option of another command, and bad values (negative, huge,
/// non-numeric, empty, -0, 1e30, NaN). Whatever the combination, the exit code is 0, 1 or 2 (never 70, an internal
/// error), no stack trace reaches standard error, and a refusal starts with "ballast: ".
/// </summary>
public sealed class FlagFuzzTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    private enum Kind { Flag, Amount, Fraction, Whole, Date, Word, Path, Text }

    private sealed record Opt(string Name, Kind Kind, params string[] Words);

    private static readonly string[] BadValues =
        ["-1", "-5", "-0", "0", "", "abc", "1e30", "1e27", "NaN", "99999999999999999999999999999", "999999999999999", "2147483647", "2147483648",
         "3000000000", "1e-28", "-1e30", "Infinity", "10000%"];

    private static readonly Dictionary<Kind, string[]> GoodValues = new()
    {
        [Kind.Amount] = ["0", "100", "2500.5", "1_000", "1e3", "250000"],
        [Kind.Fraction] = ["5%", "0.1", "300bp", "25%", "10pp", "1%"],
        [Kind.Whole] = ["1", "3", "30", "365"],
        [Kind.Date] = ["2025-06-30", "2024-12-31", "2026-01-15", "2025-07-01", "9999-12-31", "0001-01-01"],
        [Kind.Path] = ["out.html", "missing/out.html", ".", "/proc/version", "sub"],
        [Kind.Text] = ["alice", "bob", "smith", "sixty", "nobody"],
    };

    private static readonly Opt[] Policy =
    [
        new("--look", Kind.Word, "daily", "monthly", "quarterly", "annual", "weekly", "every 10 days"),
        new("--max-interval", Kind.Whole), new("--trigger", Kind.Word, "never", "always", "threshold", "volatility", "calendar"),
        new("--absolute", Kind.Fraction), new("--relative", Kind.Fraction), new("--rail", Kind.Fraction),
        new("--to", Kind.Word, "target", "inner-rail"),
    ];

    private static readonly Opt[] Execution =
    [
        new("--min-trade", Kind.Amount), new("--whole-shares", Kind.Flag), new("--reserve", Kind.Amount),
        new("--commission", Kind.Amount), new("--commission-bps", Kind.Amount), new("--half-spread-bps", Kind.Amount),
    ];

    private static readonly Opt[] FileRead = [new("--json", Kind.Flag), new("--as-of", Kind.Date), new("--normalize", Kind.Flag)];

    private static readonly Opt[] PlanOnly =
    [
        new("--deposit", Kind.Amount), new("--withdraw", Kind.Amount), new("--rebalance", Kind.Flag), new("--keep-cash", Kind.Flag),
        new("--method", Kind.Word, "proportional", "relative", "equalize"), new("--csv", Kind.Flag),
        new("--max-realized-gain", Kind.Amount), new("--no-short-term-gains", Kind.Flag), new("--tax-aware", Kind.Flag),
    ];

    private static readonly Opt[] Experiment = [new("--json", Kind.Flag), new("--report", Kind.Path), new("--prices", Kind.Path)];

    private static readonly Opt[] Paths = [new("--paths", Kind.Whole), new("--seed", Kind.Whole)];

    /// <summary>The file commands: their options and the examples they read.</summary>
    private static readonly Dictionary<string, (Opt[] Own, string[] Files)> FileCommands = new()
    {
        ["check"] = ([.. FileRead, .. Policy, .. Execution], ["krw-portfolio.yaml", "sixty-forty.yaml", "household.yaml", "inner-rails.json"]),
        ["plan"] = ([.. FileRead, .. Policy, .. Execution, .. PlanOnly], ["krw-portfolio.yaml", "sixty-forty.yaml", "household.yaml", "inner-rails.json"]),
        ["lots"] = (FileRead, ["household.yaml", "sixty-forty.yaml"]),
        ["tax"] = ([.. FileRead, new("--year", Kind.Whole, "2024", "2025", "1900", "9999", "10000")], ["household.yaml", "krw-portfolio.yaml"]),
        ["harvest"] = ([.. FileRead, new("--min-loss-percent", Kind.Fraction), new("--min-loss", Kind.Amount)], ["household.yaml", "sixty-forty.yaml"]),
        ["backtest"] = ([.. Experiment, new("--csv", Kind.Flag), new("--exact", Kind.Flag)],
            ["backtest-spy-agg.yaml", "backtest-60-40-long.yaml", "backtest-taxes.yaml", "backtest-all-weather.yaml"]),
        ["simulate"] = ([.. Experiment, .. Paths], ["simulate-60-40.yaml", "tune-paths.yaml"]),
        ["tune"] = ([.. Experiment, .. Paths], ["tune-bands.yaml", "tune-paths.yaml"]),
    };

    private static readonly Opt[] Store = [new("--account", Kind.Text), new("--household", Kind.Text), new("--model", Kind.Text), new("--all", Kind.Flag)];

    /// <summary>The store commands (each run with --db): their words before the options, and their options.</summary>
    private static readonly Dictionary<string, (string[] Words, Opt[] Own)> StoreCommands = new()
    {
        ["check"] = (["check"], [new("--as-of", Kind.Date), new("--json", Kind.Flag), new("--stale-days", Kind.Whole), .. Policy, .. Execution]),
        ["plan"] = (["plan"], [new("--as-of", Kind.Date), new("--json", Kind.Flag), new("--stale-days", Kind.Whole), new("--save", Kind.Flag), .. Policy, .. Execution, .. PlanOnly]),
        ["audit"] = (["audit"], [new("--limit", Kind.Whole)]),
        ["history"] = (["history"], [new("--account", Kind.Text)]),
        ["export"] = (["export"], [new("--account", Kind.Text), new("--as-of", Kind.Date), new("--json", Kind.Flag), new("--portfolios", Kind.Flag)]),
        ["deposit"] = (["deposit"], [new("--account", Kind.Text), new("--date", Kind.Date), new("--key", Kind.Text)]),
        ["withdraw"] = (["withdraw"], [new("--account", Kind.Text), new("--date", Kind.Date), new("--key", Kind.Text)]),
        ["orders"] = (["orders", "export"], [new("--csv", Kind.Flag), new("--output", Kind.Path)]),
        ["positions"] = (["import", "positions", "positions.csv"],
            [new("--account", Kind.Text), new("--layout", Kind.Word, "ballast", "schwab", "fidelity", "other"), new("--map", Kind.Word, "ticker=Symbol", "quantity=", "x"), new("--as-of", Kind.Date)]),
        ["model"] = (["model", "set", "m2"], [new("--targets", Kind.Word, "VTI=60%,BND=40%", "VTI=1e30", "VTI=-5%,BND=105%", "=", "VTI=0.6,BND=0.4"), new("--policy-file", Kind.Path)]),
        ["verify"] = (["verify"], [new("--rebuild", Kind.Flag)]),
    };

    private static readonly Opt[] Everything =
        [.. FileCommands.Values.SelectMany(c => c.Own).Concat(StoreCommands.Values.SelectMany(c => c.Own)).DistinctBy(o => o.Name)];

    [Theory]
    [InlineData("check", 70)]
    [InlineData("plan", 90)]
    [InlineData("lots", 20)]
    [InlineData("tax", 25)]
    [InlineData("harvest", 25)]
    [InlineData("backtest", 25)]
    [InlineData("simulate", 20)]
    [InlineData("tune", 20)]
    public void FileCommands_AnyFlagCombination_ExitsCleanly(string command, int count)
    {
        var random = new Random(Seed(command));
        var (own, files) = FileCommands[command];
        _cli.Write("sub/keep.txt", "");
        var failures = new List<string>();
        for (var i = 0; i < count; i++)
        {
            List<string> args = [command];
            // Mostly a shipped example; sometimes a missing file, or none.
            var roll = random.NextDouble();
            if (roll < 0.92) args.Add(Example(files[random.Next(files.Length)]));
            else if (roll < 0.96) args.Add("nowhere.yaml");
            args.AddRange(Options(own, random));
            if (command is "simulate" or "tune") FewPaths(args);
            Check(args, failures);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("check", 30)]
    [InlineData("plan", 40)]
    [InlineData("audit", 8)]
    [InlineData("history", 8)]
    [InlineData("export", 12)]
    [InlineData("deposit", 12)]
    [InlineData("withdraw", 12)]
    [InlineData("orders", 10)]
    [InlineData("positions", 12)]
    [InlineData("model", 10)]
    [InlineData("verify", 4)]
    public void StoreCommands_AnyFlagCombination_ExitsCleanly(string command, int count)
    {
        var db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,VTI,BND\n2025-06-27,300,75\n2025-06-30,310,74\n");
        _cli.Write("policy.yaml", "{ look: daily, trigger: threshold, absolute: 5% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nalice,taxable,USD,smith,sixty\nbob,tax-deferred,USD,smith,sixty\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nalice,VTI,20,5000\nalice,BND,53,4000\nalice,CASH,0,\nbob,VTI,30,7000\nbob,BND,10,800\nbob,CASH,0,\n");
        foreach (var setup in new[]
        {
            new[] { "init" }, ["prices", "import", "prices.csv"], ["model", "set", "sixty", "--targets", "VTI=60%,BND=40%", "--policy-file", "policy.yaml"],
            ["import", "accounts", "accounts.csv"], ["import", "positions", "positions.csv", "--as-of", "2025-06-30"],
            ["plan", "--account", "bob", "--as-of", "2025-06-30", "--save"],
        })
            Assert.Equal(0, _cli.Run([.. setup, "--db", db]).Exit);
        _cli.Write("sub/keep.txt", "");

        var random = new Random(Seed("store " + command));
        var (words, own) = StoreCommands[command];
        var failures = new List<string>();
        for (var i = 0; i < count; i++)
        {
            List<string> args = [.. words];
            switch (command)
            {
                case "check" or "plan":
                    var selector = Store[random.Next(Store.Length)];
                    args.AddRange(Render(selector, random, bad: 0.1));
                    break;
                case "export":
                    args.Add(Pick(random, "out.yaml", "out.json", "all", "all/", "out.jsonl", "sub", "sub/", "missing/out.yaml", "sub/keep.txt", "/proc/version", "../x/"));
                    break;
                case "deposit" or "withdraw":
                    args.Add(Pick(random, [.. GoodValues[Kind.Amount], .. BadValues]));
                    break;
                case "orders":
                    args.Add(Pick(random, "1", "2", "0", "-1", "abc", "99999999999999999999", ""));
                    break;
            }
            args.AddRange(Options(own, random));
            args.AddRange(["--db", db]);
            Check(args, failures);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private void Check(List<string> args, List<string> failures)
    {
        var (exit, _, err) = _cli.Run([.. args]);
        if (exit is not (0 or 1 or 2) || err.Contains("   at ", StringComparison.Ordinal) || (exit == 2 && !err.StartsWith("ballast: ", StringComparison.Ordinal)))
            failures.Add($"exit {exit}: ballast {string.Join(' ', args.Select(Quote))}\n{err}");
    }

    /// <summary>One to four distinct options: mostly the command's own, now and then another command's; a good value more often than a bad one.</summary>
    private static IEnumerable<string> Options(Opt[] own, Random random)
    {
        var chosen = new List<Opt>();
        var count = random.Next(1, 5);
        for (var k = 0; k < count; k++)
        {
            var opt = random.NextDouble() < 0.9 ? own[random.Next(own.Length)] : Everything[random.Next(Everything.Length)];
            if (chosen.All(c => c.Name != opt.Name)) chosen.Add(opt);
        }
        return chosen.SelectMany(o => Render(o, random, bad: 0.3));
    }

    private static IEnumerable<string> Render(Opt opt, Random random, double bad)
    {
        yield return opt.Name;
        if (opt.Kind == Kind.Flag) yield break;
        var good = opt.Words.Length > 0 ? opt.Words : GoodValues[opt.Kind];
        yield return random.NextDouble() < bad ? Pick(random, BadValues) : Pick(random, good);
    }

    /// <summary>Simulations run on few paths, whatever --paths the combination asked for, so that the test stays quick.</summary>
    private static void FewPaths(List<string> args)
    {
        var at = args.IndexOf("--paths");
        if (at < 0 && !args.Any(a => a.EndsWith("tune-bands.yaml", StringComparison.Ordinal))) args.AddRange(["--paths", "5"]);
        else if (at + 1 < args.Count && int.TryParse(args[at + 1], out var n) && n > 20) args[at + 1] = "20";
    }

    private static string Pick(Random random, params string[] values) => values[random.Next(values.Length)];

    /// <summary>A seed per command that does not change between runs (string hash codes do).</summary>
    private static int Seed(string name) => name.Aggregate(20250701, (h, c) => unchecked(h * 31 + c));

    private static string Quote(string s) => s.Length == 0 || s.Contains(' ') ? $"'{s}'" : s;
}
