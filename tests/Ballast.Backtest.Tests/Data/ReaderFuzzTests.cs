using Ballast.Backtest.Data;
using Ballast.Backtest.Experiments;
using Ballast.Input;
using Ballast.Testing;

namespace Ballast.Backtest.Tests.Data;

/// <summary>
/// Thousands of mutated experiment files (the shipped ones, see <see cref="InputMutator"/>) go through
/// <see cref="ExperimentReader"/>, and mutated price files through every <see cref="PriceCsv"/> parser. Whatever the
/// input, nothing but <see cref="InputException"/> may escape, and every problem says something.
/// </summary>
public sealed class ReaderFuzzTests
{
    private const int Seed = 20_251_207;

    [Fact]
    public void MutatedExperimentFiles_AreReadOrRefused_NeverCrash()
    {
        const int cases = 4_000;
        var folder = RepositoryPaths.InRepo("examples");
        var seeds = Directory.GetFiles(folder, "*.yaml")
            .Select(f => (Name: Path.GetFileName(f), Text: File.ReadAllText(f)))
            .Where(f => f.Text.Contains("\npolicies:", StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(seeds);
        var random = new Random(Seed);
        var mutator = new InputMutator(random);
        var failures = new List<string>();
        int accepted = 0, loaded = 0;
        for (var i = 0; i < cases; i++)
        {
            var (name, text) = seeds[random.Next(seeds.Count)];
            var mutated = mutator.Mutate(text);
            Run(i, name, mutated, failures, () =>
            {
                var experiment = ExperimentReader.Parse(mutated, name, folder);
                accepted++;
                // Loading prices reads a CSV; the monthly file is small, so every accepted experiment on it is loaded.
                if (experiment.PriceFormat == PriceFormat.MonthlyIndex || random.Next(20) == 0)
                {
                    ExperimentReader.LoadPrices(experiment);
                    loaded++;
                }
            });
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases crashed:\n\n{string.Join("\n\n", failures.Take(10))}");
        Assert.True(accepted > cases / 10, $"only {accepted} of {cases} mutated experiments were accepted");
        Assert.True(loaded > cases / 20, $"only {loaded} of {cases} mutated experiments had their prices loaded");
    }

    [Fact]
    public void MutatedPriceFiles_AreReadOrRefused_NeverCrash()
    {
        const int cases = 3_000;
        // The first five years of the monthly example file: small enough to parse thousands of times.
        var lines = File.ReadAllLines(RepositoryPaths.InRepo("examples/data/us_stocks_bonds_monthly.csv"));
        var seed = string.Join('\n', lines.Take(61)) + "\n";
        var random = new Random(Seed);
        var mutator = new InputMutator(random);
        var failures = new List<string>();
        for (var i = 0; i < cases; i++)
        {
            var mutated = MutateCsv(seed, random, mutator);
            Run(i, "prices.csv", mutated, failures, () =>
            {
                switch (random.Next(3))
                {
                    case 0: PriceCsv.ParseWide(mutated, "prices.csv"); break;
                    case 1: PriceCsv.ParseMonthlyIndex(mutated, "prices.csv"); break;
                    default: PriceCsv.ParseTickerFile(string.Join('\n', mutated.Split('\n').Select(l => string.Join(',', l.Split(',').Take(2)))), "prices.csv", "AAA"); break;
                }
            });
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases crashed:\n\n{string.Join("\n\n", failures.Take(10))}");
    }

    /// <summary>A price file with some cells replaced by extreme or wrong values, or lines shuffled by the general mutator.</summary>
    private static string MutateCsv(string text, Random random, InputMutator mutator)
    {
        if (random.Next(3) == 0) return mutator.Mutate(text);
        string[] cells = ["0", "-0", "-1", "NaN", "Infinity", "1e300", "1e-300", "1e-9", "1e9", "1000000001", "", " ", "abc", "1e", "9999-12-31", "0001-01-01", "3000-01-01", "1,2"];
        var rows = text.Split('\n');
        var changes = random.Next(1, 4);
        for (var c = 0; c < changes; c++)
        {
            var r = random.Next(rows.Length);
            var parts = rows[r].Split(',');
            parts[random.Next(parts.Length)] = cells[random.Next(cells.Length)];
            rows[r] = string.Join(',', parts);
        }
        return string.Join('\n', rows);
    }

    private static void Run(int i, string name, string input, List<string> failures, Action act)
    {
        try
        {
            act();
        }
        catch (InputException e)
        {
            foreach (var p in e.Problems)
                if (string.IsNullOrWhiteSpace(p.Message)) failures.Add($"case {i} ({name}): a problem without a message at {p}\n--- input ---\n{Shorten(input)}");
        }
#pragma warning disable CA1031 // The point of the test: any other exception is a finding, reported with its input.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures.Add($"case {i} ({name}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}\n--- input ---\n{Shorten(input)}");
        }
    }

    private static string Shorten(string text) => text.Length <= 3_000 ? text : text[..3_000] + $"... ({text.Length:#,0} characters)";
}
