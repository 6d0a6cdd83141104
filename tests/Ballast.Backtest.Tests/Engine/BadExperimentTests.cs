using Ballast.Backtest.Experiments;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>
/// Every kind of bad experiment or price file: the backtest command exits 2, writes nothing on stdout, and the
/// message names the file, the line and the field. A problem in the price data is reported at the experiment's
/// <c>prices:</c> field, and its message names the price file's line, column and ticker.
/// </summary>
public sealed class BadExperimentTests
{
    private const string GoodPrices = "date,AAA,BBB\n2020-01-02,100,50\n2020-01-03,101,50.5\n2020-01-06,102,50.2\n2020-02-03,103,51\n";

    private static string Experiment(string extra = "", string targets = "{ AAA: 60%, BBB: 40% }", string policies = "{ hold: { trigger: never } }") =>
        $"prices: prices.csv\ntargets: {targets}\n{extra}policies: {policies}\n";

    private static (int Exit, string Out, string Err) Run(string experiment, string prices)
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), experiment);
        File.WriteAllText(Path.Combine(dir, "prices.csv"), prices);
        return Cli.RunIn(dir, "backtest", "exp.yaml");
    }

    private static void AssertBad((int Exit, string Out, string Err) r, params string[] expected)
    {
        Assert.Equal(2, r.Exit);
        Assert.Equal("", r.Out);
        foreach (var e in expected) Assert.Contains(e, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyTargets_AreBadInput_NotACrash() =>
        AssertBad(Run(Experiment(targets: "{}"), GoodPrices), "exp.yaml:2:", "targets: no target weights");

    [Fact]
    public void TargetWrittenAsAWholeNumber_GetsTheHint() =>
        AssertBad(Run(Experiment(targets: "{ AAA: 60, BBB: 40% }"), GoodPrices), "exp.yaml:2:", "targets.AAA: 60 is not a fraction; write 60% or 0.6");

    [Fact]
    public void GoodInput_Runs() => Assert.Equal(0, Run(Experiment(), GoodPrices).Exit);

    [Fact]
    public void PriceFile_WithoutDateColumn() =>
        AssertBad(Run(Experiment(), "day,AAA,BBB\n2020-01-02,100,50\n"), "exp.yaml:1:9: prices: prices.csv line 1, column 1 (date): the first column must be 'date'");

    [Fact]
    public void PriceFile_NonNumericPrice() =>
        AssertBad(Run(Experiment(), "date,AAA,BBB\n2020-01-02,100,50\n2020-01-03,abc,50\n"), "exp.yaml:1:9: prices: prices.csv line 3, column 12 (AAA): 'abc' is not a number");

    [Fact]
    public void PriceFile_NegativePrice() =>
        AssertBad(Run(Experiment(), "date,AAA,BBB\n2020-01-02,100,50\n2020-01-03,101,-5\n"), "exp.yaml:1:9: prices: prices.csv line 3, column 16 (BBB): the price is -5; prices must be greater than zero");

    [Fact]
    public void PriceFile_UnsortedDates() =>
        AssertBad(Run(Experiment(), "date,AAA,BBB\n2020-01-03,100,50\n2020-01-02,101,50\n"), "exp.yaml:1:9: prices: prices.csv line 3, column 1 (date): 2020-01-02 comes after 2020-01-03");

    [Fact]
    public void PriceFile_DuplicateDates() =>
        AssertBad(Run(Experiment(), "date,AAA,BBB\n2020-01-02,100,50\n2020-01-02,101,50\n"), "exp.yaml:1:9: prices: prices.csv line 3, column 1 (date): 2020-01-02 appears twice");

    [Fact]
    public void TargetTicker_MissingFromPrices() =>
        AssertBad(Run(Experiment(targets: "{ AAA: 60%, CCC: 40% }"), GoodPrices), "exp.yaml:1:9: prices: prices.csv line 1 (CCC): ticker 'CCC' is not in the file");

    [Fact]
    public void EmptyDateRange() =>
        AssertBad(Run(Experiment("start: 2021-01-01\n"), GoodPrices), "exp.yaml:3:8: start:", "prices.csv", "no date from 2021-01-01");

    [Fact]
    public void PolicyTheEngineRejects_InnerRailOutsideTheBand() =>
        AssertBad(Run(Experiment(policies: "\n  rails:\n    trigger: threshold\n    absolute: 1%\n    rebalanceTo: inner-rail\n    rail: 50%\n"), GoodPrices),
            "exp.yaml:8", "policies.rails.rail", "not inside the band");

    [Fact]
    public void UnknownExperimentField() =>
        AssertBad(Run(Experiment("frequency: daily\n"), GoodPrices), "exp.yaml:3", "frequency", "unknown field");

    [Fact]
    public void UnknownPolicyField() =>
        AssertBad(Run(Experiment(policies: "{ hold: { trigger: never, bogus: 1 } }"), GoodPrices), "exp.yaml:3", "policies.hold.bogus", "unknown field");

    [Fact]
    public void TargetsNotSummingToOne() =>
        AssertBad(Run(Experiment(targets: "{ AAA: 60%, BBB: 30% }"), GoodPrices), "exp.yaml:2", "targets", "not 100%");

    // The tax section: each kind of bad value names the file, the line of the bad value and the field.
    [Theory]
    [InlineData("tax: us\n", "exp.yaml:3:6: tax: expected a mapping of fields")]
    [InlineData("tax: { regime: { kind: us }, rate: 20% }\n", "exp.yaml:3:30: tax.rate: unknown field; expected one of: regime, lotSelection, treatments")]
    [InlineData("tax: { regime: { kind: uk } }\n", "exp.yaml:3:24: tax.regime.kind: unknown tax regime 'uk'; expected us, kr")]
    [InlineData("tax: { regime: { shortTermRate: 30% } }\n", "exp.yaml:3:16: tax.regime.kind: missing: give us or kr")]
    [InlineData("tax: { regime: { kind: us, shortTermRate: 37 } }\n", "exp.yaml:3:43: tax.regime.shortTermRate: 37 is not a fraction; write 37% or 0.37")]
    [InlineData("tax: { regime: { kind: us, longTermRate: 120% } }\n", "exp.yaml:3:42: tax.regime.longTermRate: a rate of 120% is too large (at most 100%)")]
    [InlineData("tax: { regime: { kind: us, longTermRate: -5% } }\n", "exp.yaml:3:42: tax.regime.longTermRate: must not be negative")]
    [InlineData("tax: { regime: { kind: kr, shortTermRate: 22% } }\n", "exp.yaml:3:43: tax.regime.shortTermRate: the kr regime has fixed rates; remove this field")]
    [InlineData("tax: { regime: { kind: us, bogus: 1 } }\n", "exp.yaml:3:28: tax.regime.bogus: unknown field")]
    [InlineData("tax: { lotSelection: cheapest }\n", "exp.yaml:3:22: tax.lotSelection: 'cheapest' is not a lot selection method; use one of fifo, lifo, hifo, tax-min, specific")]
    [InlineData("tax: { lotSelection: specific }\n", "exp.yaml:3:22: tax.lotSelection: a backtest's sells do not name their lots")]
    [InlineData("tax: { regime: { kind: kr }, treatments: { CCC: domestic-equity } }\n", "exp.yaml:3:44: tax.treatments.CCC: CCC is not one of the targets' assets (AAA, BBB)")]
    [InlineData("tax: { regime: { kind: kr }, treatments: { AAA: bonds } }\n", "exp.yaml:3:49: tax.treatments.AAA: 'bonds' is not a treatment of the KR regime; use one of overseas, domestic-equity")]
    [InlineData("tax: { treatments: [AAA] }\n", "exp.yaml:3:20: tax.treatments: expected a mapping of fields")]
    public void BadTaxSection(string tax, string expected) => AssertBad(Run(Experiment(tax), GoodPrices), expected);

    [Fact]
    public void BadTaxSection_EveryProblemIsReportedAtOnce()
    {
        var r = Run(Experiment("tax:\n  regime: { kind: us, shortTermRate: 2 }\n  lotSelection: newest\n"), GoodPrices);

        AssertBad(r, "exp.yaml:4:38: tax.regime.shortTermRate: 2 is not a fraction; write 2% or 0.02", "exp.yaml:5:17: tax.lotSelection: 'newest'");
    }

    [Fact]
    public void BadTaxSection_AnUnknownRegimeDoesNotAlsoFaultItsTreatments()
    {
        var r = Run(Experiment("tax: { regime: { kind: jp }, treatments: { AAA: domestic-equity } }\n"), GoodPrices);

        AssertBad(r, "tax.regime.kind: unknown tax regime 'jp'");
        Assert.DoesNotContain("tax.treatments", r.Err, StringComparison.Ordinal);
    }

    // Where a tuning grid is evaluated: each kind of bad value names the file, the line and column of the value and the field.
    [Theory]
    [InlineData("tune: { evaluate: sometimes, absolute: [5%] }\n", "exp.yaml:3:19: tune.evaluate: unknown evaluation 'sometimes'; expected history, paths, both")]
    [InlineData("tune: { evaluate: [paths], absolute: [5%] }\n", "exp.yaml:3:19: tune.evaluate: expected a single value")]
    [InlineData("tune: { evaluate: { paths: 100 } }\n", "exp.yaml:3:19: tune.evaluate: expected a single value")]
    [InlineData("tune: { evaluate: paths, absolute: [5%] }\n",
        "exp.yaml:3:19: tune.evaluate: paths runs the grid on Monte Carlo paths drawn with the experiment's monteCarlo section, and there is none")]
    [InlineData("tune:\n  absolute: [5%]\n  evaluate: Both\n", "exp.yaml:5:13: tune.evaluate: both runs the grid on Monte Carlo paths drawn with the experiment's monteCarlo section")]
    [InlineData("tune: { evaluat: paths }\n", "exp.yaml:3:9: tune.evaluat: unknown field; expected one of: evaluate, absolute, relative, rail, look, objective")]
    public void BadTuneEvaluation(string tune, string expected) => AssertBad(Run(Experiment(tune), GoodPrices), expected);

    [Theory]
    [InlineData("history")]
    [InlineData("paths")]
    [InlineData("both")]
    [InlineData("PATHS")]
    public void TuneEvaluation_WithAMonteCarloSection_IsRead(string word)
    {
        var text = Experiment($"monteCarlo: {{ paths: 10 }}\ntune: {{ evaluate: {word}, absolute: [5%] }}\n");
        var tune = ExperimentReader.Parse(text, "exp.yaml", TestPaths.TempDirectory()).Tune!;
        Assert.Equal(word.ToLowerInvariant(), tune.Evaluate.ToString().ToLowerInvariant());
        Assert.Equal((4, 19), tune.EvaluateAt);
        Assert.Equal(word.ToLowerInvariant() != "paths", tune.OnHistory);
        Assert.Equal(word.ToLowerInvariant() != "history", tune.OnPaths);
    }

    [Fact]
    public void TuneEvaluation_DefaultsToHistory()
    {
        var tune = ExperimentReader.Parse(Experiment("tune: { absolute: [5%] }\n"), "exp.yaml", TestPaths.TempDirectory()).Tune!;
        Assert.Equal(TuneEvaluation.History, tune.Evaluate);
        Assert.False(tune.OnPaths);
    }

    [Fact]
    public void MissingPriceFile()
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), Experiment());
        AssertBad(Cli.RunIn(dir, "backtest", "exp.yaml"), "exp.yaml:1:9: prices: prices.csv: the file does not exist");
    }

    // Price data that once failed late, now named at the experiment's prices field with the price file's line.
    [Theory]
    [InlineData("2020-01-03,0,50.5", "exp.yaml:1:9: prices: prices.csv line 3, column 12 (AAA): the price is 0; prices must be greater than zero")]
    [InlineData("2020-01-03,1e300,50.5", "exp.yaml:1:9: prices: prices.csv line 3, column 12 (AAA): the price is 1e300; prices must be from 0.00000001 to 1,000,000,000")]
    [InlineData("2020-01-03,NaN,50.5", "exp.yaml:1:9: prices: prices.csv line 3, column 12 (AAA): 'NaN' is not a number")]
    [InlineData("9999-12-31,101,50.5", "exp.yaml:1:9: prices: prices.csv line 3, column 1 (date): 9999-12-31 is after 2999-12-31, the last date Ballast accepts")]
    public void PriceFile_BadClose_IsNamedAtThePricesField(string row, string expected) =>
        AssertBad(Run(Experiment(), $"date,AAA,BBB\n2020-01-02,100,50\n{row}\n2020-02-03,103,51\n"), expected);

    [Fact]
    public void PricesGivenOnTheCommandLine_NameThePriceFile()
    {
        var dir = TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(dir, "exp.yaml"), Experiment());
        File.WriteAllText(Path.Combine(dir, "other.csv"), "date,AAA,BBB\n2020-01-02,100,50\n2020-01-03,-1,50\n");

        AssertBad(Cli.RunIn(dir, "backtest", "exp.yaml", "--prices", "other.csv"), "other.csv:3:12: AAA: the price is -1");
    }

    [Fact]
    public void OneDateInRange_IsNamedAtTheStartField() =>
        AssertBad(Run(Experiment("start: 2020-02-03\n"), GoodPrices), "exp.yaml:3:8: start: only 1 date from 2020-02-03 to the end has prices for every asset; a backtest needs at least two in prices.csv");

    // Every number of an experiment has a range, checked where it is read.
    [Theory]
    [InlineData("initial: 1e14\n", "exp.yaml:3:10: initial: an amount of 1e14 is too large (at most 10,000,000,000,000)")]
    [InlineData("initial: 1e-40\n", "exp.yaml:3:10: initial: 1e-40 is too small to be told from 0; write 0")]
    [InlineData("cashRate: 1e27\n", "exp.yaml:3:11: cashRate: 1e27 is not a fraction; write 1e27% or")]
    [InlineData("cashRate: 150%\n", "exp.yaml:3:11: cashRate: a rate of 150% is too large (at most 100%)")]
    [InlineData("cashFlows: { amount: -1e14 }\n", "exp.yaml:3:22: cashFlows.amount: an amount of -1e14 is out of range (from -10,000,000,000,000 to 10,000,000,000,000)")]
    [InlineData("costs: { halfSpreadBps: 1e27 }\n", "exp.yaml:3:25: costs.halfSpreadBps: a cost of 1e27 is too large (at most 10,000)")]
    [InlineData("start: 9999-12-31\n", "exp.yaml:3:8: start: 9999-12-31 is after 2999-12-31, the last date Ballast accepts")]
    [InlineData("tune: { relative: [1e27] }\n", "exp.yaml:3:20: tune.relative: a relative band of 1e27 is too large (at most 1,000%)")]
    [InlineData("tune: { rail: [100%] }\n", "exp.yaml:3:16: tune.rail: a rail of 100% is too large (must be under 100%)")]
    [InlineData("tune: { objective: { maxTrackingError: 1e27 } }\n", "exp.yaml:3:40: tune.objective.maxTrackingError: a tracking error of 1e27 is too large (at most 1,000%)")]
    public void NumbersOutOfRange_AreNamedAtTheirField(string extra, string expected) =>
        AssertBad(Run(Experiment(extra), GoodPrices), expected);

    [Fact]
    public void ATuningGridTooLarge_IsRefused()
    {
        var values = "[" + string.Join(", ", Enumerable.Range(1, 30).Select(i => $"{i}%")) + "]";
        AssertBad(Run(Experiment($"tune: {{ absolute: {values}, relative: {values}, rail: {values} }}\n"), GoodPrices),
            "exp.yaml:3:7: tune: the grid has 27,000 policies; Ballast tunes at most 10,000 at once");
    }

    [Fact]
    public void DeeplyNestedExperiment_IsAProblem_NotACrash() =>
        AssertBad(Run(Experiment("name: " + new string('[', 100_000) + "\n"), GoodPrices), "exp.yaml:3:", "nested more than 64 deep");
}
