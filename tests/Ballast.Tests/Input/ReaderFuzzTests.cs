using Ballast.Drift;
using Ballast.Households;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Testing;

namespace Ballast.Tests.Input;

/// <summary>
/// Thousands of mutated portfolio files (the shipped examples and a few more, see <see cref="InputMutator"/>) go through
/// <see cref="PortfolioReader"/>; those it accepts are checked, planned (with and without a deposit) and, with tax
/// data, planned per account. Whatever the input, nothing but <see cref="InputException"/> may escape, and every
/// problem and warning says something.
/// </summary>
/// <remarks>
/// Before the readers had limits this seed found: a stack overflow on deep nesting and on a cyclic alias used as a
/// key (both killed the process); an ArgumentException from the JSON reader on an unpaired surrogate; and
/// OverflowExceptions from a 1e-28 price (a division in execution), from a 1e27 rail (the policy validator), and from
/// a deposit as large as the old amount limit of 1e15 (two amounts multiplied when a deposit is split). A failure
/// names its case number; the cases are deterministic, so a case can be replayed by running the loop to it.
/// No mutation is left out.
/// </remarks>
public sealed class ReaderFuzzTests
{
    private const int Seed = 20_251_206;
    private const int Cases = 5_000;

    /// <summary>Portfolios beyond the examples, for the paths they take: cash raised by selling (reserve above cash) with
    /// the relative and equalize methods, cash as an asset, a value-only holding, and a specific-lot sale.</summary>
    private static readonly (string Name, string Text)[] MoreSeeds =
    [
        ("raise-cash.yaml", """
            asOf: 2025-06-30
            cash: 10
            holdings:
              - { ticker: AAA, quantity: 100, price: 12.5 }
              - { ticker: BBB, value: 800 }
              - { ticker: OLD, value: 50 }
            targets: { AAA: 50%, BBB: 49.99%, CCC: 0.01% }
            prices: { CCC: 3 }
            policy: { look: monthly, trigger: never }
            execution: { cashReserve: 500, method: relative, minTrade: 1, commission: 1, commissionBps: 10, quantityDecimals: 4 }
            """),
        ("cash-asset.yaml", """
            asOf: 2025-06-30
            lastRebalanced: 2025-01-02
            lastLook: 2025-03-01
            cash: 100000
            holdings: [{ ticker: VTI, quantity: 10, price: 300 }]
            targets: { VTI: 57%, BND: 38%, CASH: 5% }
            securities: { BND: { price: 72, fractional: false } }
            policy: { look: "every 14 days", maxIntervalDays: 90, trigger: always, rebalanceTo: inner-rail, rail: 20% }
            execution: { method: equalize, wholeShares: true, moneyDecimals: 0 }
            """),
        ("lots.yaml", """
            asOf: 2025-06-30
            taxRegime: { kind: kr }
            lotSelection: tax-min
            holdings:
              - ticker: AAA
                quantity: 30
                price: 10
                lots:
                  - { id: a1, acquired: 2020-01-15, quantity: 10, costBasis: 50 }
                  - { acquired: 2024-11-04, quantity: 30, costBasis: 450, washSaleAdjustment: 20, holdingPeriodStart: 2024-10-01 }
            transactions:
              - { date: 2025-02-10, type: sell, ticker: AAA, quantity: 10, price: 12, lots: [{ id: a1, quantity: 10 }] }
              - { date: 2025-03-10, type: reinvest, ticker: BBB, quantity: 2, price: 50 }
              - { date: 2025-04-10, type: sell, ticker: BBB, quantity: 2, price: 40 }
            realizedYearToDate: { short: -100, long: 2500 }
            harvest: { minLossPercent: 5%, minLoss: 10 }
            targets: { AAA: 80%, BBB: 20% }
            prices: { BBB: 45 }
            """),
    ];

    [Fact]
    public void MutatedPortfolioFiles_AreReadOrRefused_NeverCrash()
    {
        var seeds = PortfolioExamples().Concat(MoreSeeds).ToList();
        var random = new Random(Seed);
        var mutator = new InputMutator(random);
        var failures = new List<string>();
        int accepted = 0, refused = 0;
        for (var i = 0; i < Cases; i++)
        {
            var (name, text) = seeds[random.Next(seeds.Count)];
            var mutated = mutator.Mutate(text);
            var options = new ReadOptions(Normalize: random.Next(2) == 0, DefaultAsOf: new DateOnly(2025, 6, 30));
            try
            {
                var result = PortfolioReader.Read(name, mutated, options);
                CheckMessages(result.Problems.Concat(result.Warnings), i, name, mutated, failures);
                if (result.Ok)
                {
                    accepted++;
                    Exercise(result.Value!, random);
                }
                else refused++;
            }
            catch (InputException e)
            {
                CheckMessages(e.Problems, i, name, mutated, failures);
            }
#pragma warning disable CA1031 // The point of the test: any other exception is a finding, reported with its input.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"case {i} ({name}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}\n--- input ---\n{Shorten(mutated)}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} cases crashed:\n\n{string.Join("\n\n", failures.Take(10))}");
        // The mutations must leave enough files readable that the engine is exercised too.
        Assert.True(accepted > Cases / 10, $"only {accepted} of {Cases} mutated files were accepted");
        Assert.True(refused > Cases / 10, $"only {refused} of {Cases} mutated files were refused");
    }

    /// <summary>What a host does with a portfolio it read: check it, plan it, plan a deposit, and plan per account.</summary>
    private static void Exercise(Portfolio portfolio, Random random)
    {
        DriftEvaluator.Evaluate(portfolio);
        Planner.Create(portfolio);
        var request = new PlanRequest
        {
            Deposit = random.Next(3) switch { 0 => 0m, 1 => 1_000m, _ => Limits.MaxAmount },
            ForceRebalance = random.Next(2) == 0,
            Method = (CashFlowMethod)random.Next(3),
        };
        Planner.Create(portfolio, request);
        if (portfolio.Tax is not null)
            HouseholdPlanner.Create(portfolio, request, new TaxPlanOptions
            {
                TaxAware = random.Next(2) == 0,
                NoShortTermGains = random.Next(2) == 0,
                MaxRealizedGain = random.Next(3) switch { 0 => null, 1 => 0m, _ => 100m },
            });
    }

    private static void CheckMessages(IEnumerable<InputProblem> problems, int i, string name, string input, List<string> failures)
    {
        foreach (var p in problems)
            if (string.IsNullOrWhiteSpace(p.Message)) failures.Add($"case {i} ({name}): a problem without a message at {p}\n--- input ---\n{Shorten(input)}");
    }

    private static string Shorten(string text) => text.Length <= 3_000 ? text : text[..3_000] + $"... ({text.Length:#,0} characters)";

    /// <summary>The portfolio files under examples/ (experiments, which name price data, are fuzzed by the backtest tests).</summary>
    private static IEnumerable<(string Name, string Text)> PortfolioExamples() =>
        Directory.GetFiles(RepositoryPaths.InRepo("examples"))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal))
            .Select(f => (Name: Path.GetFileName(f), Text: File.ReadAllText(f)))
            .Where(f => !f.Text.Contains("\npolicies:", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
}
