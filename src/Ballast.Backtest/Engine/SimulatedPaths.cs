using Ballast.Backtest.Data;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.MonteCarlo;
using Ballast.Backtest.Statistics;
using Ballast.Input;

namespace Ballast.Backtest.Engine;

/// <summary>
/// What a simulation draws and how a drawn path becomes a market. The generator draws one row per period over
/// <see cref="Columns"/>: the experiment's assets in target order and, when the experiment names a cash series
/// that is not one of them, that series as one more column. Cash therefore comes from the same bootstrap blocks
/// as the assets, or is one more dimension of the fitted normal or lognormal model, and keeps its historical
/// relation to them; a cash series that is also a target shares that asset's column. Without a cash series,
/// or when its history grows at one constant rate, cash grows at that constant rate on every path.
/// </summary>
internal sealed class SimulatedPaths
{
    /// <summary>Simulated returns at or below −100 % (possible under the normal model) are floored here.</summary>
    public const double ReturnFloor = -0.9999;

    private SimulatedPaths(IPathGenerator generator, IReadOnlyList<string> columns, int assetCount, int cashColumn, double constantCashGrowth, double periodsPerYear)
    {
        Generator = generator;
        Columns = columns;
        AssetCount = assetCount;
        CashColumn = cashColumn;
        ConstantCashGrowth = constantCashGrowth;
        PeriodsPerYear = periodsPerYear;
    }

    /// <summary>Draws rows of <see cref="Width"/> simple returns.</summary>
    public IPathGenerator Generator { get; }

    /// <summary>The tickers of the generated columns: the assets, then the cash series when it is drawn on its own.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Returns per period (row).</summary>
    public int Width => Columns.Count;

    /// <summary>The first <see cref="AssetCount"/> columns are the assets, in target order.</summary>
    public int AssetCount { get; }

    /// <summary>The column whose returns cash earns, or −1 when cash grows by <see cref="ConstantCashGrowth"/> every period.</summary>
    public int CashColumn { get; }

    /// <summary>Growth of cash per period when it is not drawn (1 + the period's share of the annual cash rate, or the cash series' one constant return).</summary>
    public double ConstantCashGrowth { get; }

    /// <summary>Rows per year of the history, which the simulated paths keep.</summary>
    public double PeriodsPerYear { get; }

    /// <summary>
    /// Fits <paramref name="settings"/>' generator to the history in <paramref name="prices"/> (the experiment's
    /// selected table, with the cash series' closes when it names one). A normal or lognormal model that the
    /// history cannot support (too few periods, a column that is an exact mix of others) is an
    /// <see cref="InputException"/> naming the experiment file and its <c>monteCarlo.method</c>.
    /// </summary>
    public static SimulatedPaths For(Experiment experiment, PriceTable prices, MonteCarloSettings settings)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(settings);
        var assets = experiment.Assets;
        var ppy = Periodicity.PeriodsPerYear(prices.Dates);
        var columns = new List<string>(assets);
        var cashColumn = -1;
        var constantGrowth = experiment.CashRate == 0 ? 1 : Math.Pow(1 + experiment.CashRate, 1 / ppy);
        if (experiment.CashSeries is { } cs)
        {
            if (ConstantReturn(prices.Closes(cs)) is { } r)
            {
                // Nothing to draw: a series that grows at one rate is that rate (and would leave a normal fit singular).
                constantGrowth = 1 + r;
            }
            else
            {
                cashColumn = columns.IndexOf(cs);
                if (cashColumn < 0)
                {
                    cashColumn = columns.Count;
                    columns.Add(cs);
                }
            }
        }

        var history = ReturnMatrix.FromPrices(prices.Select(columns));
        IPathGenerator generator;
        try
        {
            generator = settings.Method switch
            {
                "normal" => MultivariateReturnModel.Fit(history, ReturnDistribution.Normal, settings.Seed),
                "lognormal" => MultivariateReturnModel.Fit(history, ReturnDistribution.Lognormal, settings.Seed),
                _ => new BlockBootstrap(history, Math.Min(settings.BlockLength, history.Periods), settings.Seed),
            };
        }
        catch (ArgumentException e) when (settings.Method is "normal" or "lognormal")
        {
            var at = settings.MethodAt;
            throw new InputException(new InputProblem(
                $"the {settings.Method} model cannot be fitted to the returns of {string.Join(", ", columns)} in {experiment.PricesPath}: {FirstSentence(e.Message)}; use method: bootstrap",
                experiment.File, at?.Line, at?.Column, "monteCarlo.method"));
        }
        return new SimulatedPaths(generator, columns, assets.Count, cashColumn, constantGrowth, ppy);
    }

    /// <summary>Cash growth per row for a path of <paramref name="steps"/> periods at the constant rate: 1 at row 0, then <see cref="ConstantCashGrowth"/>.</summary>
    public double[] ConstantCashGrowthRows(int steps)
    {
        var growth = new double[steps + 1];
        Array.Fill(growth, ConstantCashGrowth);
        growth[0] = 1;
        return growth;
    }

    /// <summary>
    /// Turns one drawn path (<paramref name="returns"/>: steps × <see cref="Width"/>, row-major) into a market's
    /// closes (closes[asset][row], starting at 1) and, when cash is drawn, its cash growth per row (row 0 is 1).
    /// When cash is not drawn <paramref name="cashGrowth"/> is left as it is.
    /// </summary>
    public void ToMarket(ReadOnlySpan<double> returns, double[][] closes, double[] cashGrowth)
    {
        var width = Width;
        var steps = returns.Length / width;
        for (var a = 0; a < AssetCount; a++)
        {
            var c = closes[a];
            c[0] = 1;
            for (var t = 1; t <= steps; t++) c[t] = c[t - 1] * (1 + Math.Max(returns[(t - 1) * width + a], ReturnFloor));
        }
        if (CashColumn < 0) return;
        cashGrowth[0] = 1;
        for (var t = 1; t <= steps; t++) cashGrowth[t] = 1 + Math.Max(returns[(t - 1) * width + CashColumn], ReturnFloor);
    }

    /// <summary>The one return every period of <paramref name="closes"/> has (within 1e-12), or null when they differ.</summary>
    private static double? ConstantReturn(ReadOnlySpan<double> closes)
    {
        if (closes.Length < 2) return null;
        var first = closes[1] / closes[0] - 1;
        for (var t = 2; t < closes.Length; t++)
        {
            if (Math.Abs(closes[t] / closes[t - 1] - 1 - first) > 1e-12) return null;
        }
        return first;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
