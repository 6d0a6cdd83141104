using Ballast.Backtest.Data;
using Ballast.Backtest.Experiments;
using Ballast.Drift;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Policies.Triggers;

namespace Ballast.Backtest.Engine;

/// <summary>What a backtest run records beyond its statistics.</summary>
public sealed record BacktestOptions
{
    public static BacktestOptions Default { get; } = new();

    /// <summary>Keep the weights per date (for reports).</summary>
    public bool RecordWeights { get; init; }
    /// <summary>Keep every engine call that traded (for tests and audits).</summary>
    public bool RecordLedger { get; init; }
    /// <summary>Call the engine at every look, even when the exact pre-check proves no band is breached.</summary>
    public bool AlwaysCallEngine { get; init; }
    /// <summary>
    /// Plan every look in exact decimal (the engine's <see cref="Planner"/>), as a live plan would. By default a
    /// fractional-share run plans in double through the same rules, which is many times faster; whole shares and
    /// recorded ledgers always plan in decimal.
    /// </summary>
    public bool Exact { get; init; }
    /// <summary>
    /// Skip the drift statistics and series (average and maximum drift, share outside the bands, drift chart) and
    /// the list of rebalance dates: a Monte Carlo path needs values, the index, turnover, costs and the number of
    /// rebalances only.
    /// </summary>
    public bool SummaryOnly { get; init; }
}

/// <summary>
/// What many runs of the same policies on one thread can reuse (a Monte Carlo worker): the value and index arrays
/// and each policy's planning state. A result's <see cref="PolicyRunResult.Values"/> and
/// <see cref="PolicyRunResult.Index"/> then belong to the scratch and change at its next run.
/// </summary>
public sealed class RunScratch
{
    internal readonly Dictionary<Policy, (object Step, double[] Halves)> Policies = new(ReferenceEqualityComparer.Instance);
    internal double[] Values = [];
    internal double[] Index = [];
}

/// <summary>One engine call that traded: the plan's action and trades, and the ledger after them.</summary>
/// <param name="Row">Index of the date in the market.</param>
/// <param name="Cash">Cash after the trades (currency units).</param>
/// <param name="Quantities">Shares per asset after the trades, in the market's asset order.</param>
public sealed record LedgerEntry(int Row, DateOnly Date, PlanAction Action, IReadOnlyList<Trade> Trades, decimal Deposit, decimal Withdraw, decimal Cash, decimal[] Quantities);

/// <summary>
/// One policy's backtest. <see cref="Values"/> is the portfolio value (currency units) at each close after that
/// close's flows and trades; <see cref="Index"/> the time-weighted value index (flows removed, 1 = the initial
/// capital), from which returns, volatility and drawdowns are measured.
/// </summary>
public sealed record PolicyRunResult(string Name, Policy Policy, double[] Values, double[] Index)
{
    /// <summary>Rebalances, not counting the initial purchase.</summary>
    public int Rebalances { get; init; }
    /// <summary>Transaction costs paid after the initial purchase (currency units).</summary>
    public double Costs { get; init; }
    /// <summary>Costs of the initial purchase (currency units).</summary>
    public double InitialCosts { get; init; }
    /// <summary>One-way turnover per year, a fraction (the initial purchase excluded).</summary>
    public double TurnoverPerYear { get; init; }
    /// <summary>Mean |weight − target| over dates and assets, measured at each close before its trades.</summary>
    public double AverageDrift { get; init; }
    /// <summary>Largest |weight − target| at any close before its trades.</summary>
    public double MaxDrift { get; init; }
    /// <summary>Share of closes (after the first) at which some asset was strictly outside its band before trading.</summary>
    public double ShareOutsideBands { get; init; }
    /// <summary>Engine calls made (looks that could not be settled by the exact pre-check, flows, the initial purchase).</summary>
    public int EngineCalls { get; init; }
    /// <summary>Per date, the largest |weight − target| before trades (drift chart).</summary>
    public double[] DriftSeries { get; init; } = [];
    /// <summary>The band half-width used for <see cref="ShareOutsideBands"/> on the asset with the largest drift, per date.</summary>
    public double[] BandSeries { get; init; } = [];
    /// <summary>weights[asset][row] after trades, when recorded.</summary>
    public double[][]? Weights { get; init; }
    /// <summary>Dates of rebalances (not the initial purchase).</summary>
    public IReadOnlyList<DateOnly> RebalanceDates { get; init; } = [];
    public IReadOnlyList<LedgerEntry> Ledger { get; init; } = [];
    /// <summary>The date a withdrawal took everything that was left, or null when the portfolio lasted the whole run.</summary>
    public DateOnly? Depleted { get; init; }
}

/// <summary>
/// Runs a policy over a <see cref="Market"/> by applying the engine's planning rules at the initial purchase, at every
/// look date and at every cash flow, and only revaluing positions in between.
/// </summary>
/// <remarks>
/// Conventions: the portfolio is bought at target weights at the first close; a look happens at the close of
/// each date on which <see cref="LookSchedule.IsDue"/> holds given the previous look; trades happen at that close,
/// sells before buys, fractional unless the execution asks for whole shares; costs are paid from cash.
/// Fractional-share runs plan in double through the engine's <see cref="SeriesPlanner"/> (the same trigger and
/// planning rules in double); exact runs, whole shares and recorded ledgers build a <see cref="Portfolio"/>
/// and call <see cref="Planner.Create(Portfolio, PlanRequest)"/> in decimal. Tests hold the two within 1e-9.
/// On a look with no flow, the run first asks the trigger, in double arithmetic with a margin of 1e-9 of the
/// portfolio's value, whether it is surely quiet and no cash waits to be placed
/// (<see cref="SeriesPlanner.SurelyNothingToDo"/>); only then does it skip the planner (it would plan nothing);
/// <see cref="BacktestOptions.AlwaysCallEngine"/> turns the pre-check off. Scheduled cash flows are placed first
/// and the trigger judged on the portfolio after them, as in a live plan.
/// A withdrawal of everything that is left sells the portfolio out and ends the run (<see cref="PolicyRunResult.Depleted"/>).
/// </remarks>
public sealed class Backtester
{
    private const double Margin = 1e-9;
    private static readonly double MaxValue = (double)Limits.MaxAmount;
    private readonly Market _market;
    private readonly IReadOnlyList<TargetWeight> _targets;
    private readonly ExecutionOptions _execution;
    private readonly decimal _initial;
    private readonly CashFlowSchedule? _flows;
    private readonly bool[] _flowDue;
    private readonly decimal[] _targetWeights;
    private readonly double[] _targetDoubles;
    private readonly bool _cashIsAsset;
    private readonly string[] _assets;
    private readonly Dictionary<LookSchedule, bool[]> _lookCache = [];

    /// <param name="market">Prices and cash growth.</param>
    /// <param name="targets">Target weights (fractions summing to 1), every ticker but CASH among the market's assets.</param>
    /// <param name="execution">Costs, whole shares, minimum trade and cash reserve, as the engine takes them.</param>
    /// <param name="initial">Starting capital (currency units), bought at target at the first close.</param>
    /// <param name="flows">Recurring deposits or withdrawals, or null.</param>
    public Backtester(Market market, IReadOnlyList<TargetWeight> targets, ExecutionOptions execution, decimal initial, CashFlowSchedule? flows = null)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(execution);
        _market = market;
        _targets = targets;
        _execution = execution;
        _initial = initial;
        _flows = flows is { Amount: not 0 } ? flows : null;
        _targetWeights = new decimal[market.Assets.Length];
        foreach (var t in targets)
        {
            if (t.Ticker == Portfolio.CashTicker) { _cashIsAsset = true; continue; }
            var i = Array.IndexOf(market.Assets, t.Ticker);
            if (i < 0) throw new ArgumentException($"target {t.Ticker} has no prices", nameof(targets));
            _targetWeights[i] = t.Weight;
        }
        _targetDoubles = [.. _targetWeights.Select(w => (double)w)];
        _assets = market.Assets;
        _flowDue = _flows is null ? new bool[market.Count] : DueDates(_flows.Every);
    }

    /// <summary>A backtester for an experiment's targets, execution, capital and flows.</summary>
    public static Backtester For(Experiment experiment, Market market) =>
        new(market, experiment.Targets, experiment.Execution, experiment.Initial, experiment.CashFlows);

    /// <summary>The market this backtester runs on.</summary>
    public Market Market => _market;

    /// <summary>Rows on which <paramref name="schedule"/> makes a look due, starting from a look at row 0.</summary>
    public bool[] DueDates(LookSchedule schedule)
    {
        lock (_lookCache)
        {
            if (_lookCache.TryGetValue(schedule, out var cached)) return cached;
            var dates = _market.Dates;
            var due = new bool[dates.Length];
            var last = dates[0];
            for (var t = 1; t < dates.Length; t++)
            {
                if (schedule.IsDue(last, dates[t]))
                {
                    due[t] = true;
                    last = dates[t];
                }
            }
            _lookCache[schedule] = due;
            return due;
        }
    }

    /// <summary>Runs <paramref name="policy"/> over the whole market.</summary>
    public PolicyRunResult Run(string name, Policy policy, BacktestOptions? options = null) => Run(name, policy, options, null);

    /// <summary>Runs <paramref name="policy"/> over the whole market, reusing <paramref name="scratch"/> when given.</summary>
    public PolicyRunResult Run(string name, Policy policy, BacktestOptions? options, RunScratch? scratch)
    {
        ArgumentNullException.ThrowIfNull(policy);
        options ??= BacktestOptions.Default;
        var m = _market;
        var n = m.Assets.Length;
        var T = m.Count;
        var dates = m.Dates;
        var lookDue = DueDates(policy.Look);
        var ex = _execution;
        var unit = (double)Execution.Unit(ex.MoneyDecimals);
        var dust = n * unit;
        var exact = options.Exact || options.RecordLedger || ex.WholeShares;
        IPlanStep planner;
        double[] halves;
        if (exact)
        {
            planner = new ExactStep(this, policy);
            halves = BandHalfWidths(policy);
        }
        else if (scratch is not null && scratch.Policies.TryGetValue(policy, out var kept))
        {
            var step = (FastStep)kept.Step;
            step.Reset();
            planner = step;
            halves = kept.Halves;
        }
        else
        {
            planner = new FastStep(this, policy);
            halves = BandHalfWidths(policy);
            scratch?.Policies.Add(policy, (planner, halves));
        }
        var summaryOnly = options.SummaryOnly;

        var qd = new double[n];
        double cashD = (double)_initial;
        // Cash as the plans last left it; interest joins it (rounded to the money unit) at looks and flows.
        double cashLedger = cashD;
        double cashFactor = 1; // cash growth since the ledger's cash was last set
        DateOnly? lastRebalanced = null;
        var lastRebalanceRow = -1;
        DateOnly? lastLook = null;

        double[] values, index;
        if (scratch is null)
        {
            values = new double[T];
            index = new double[T];
        }
        else
        {
            if (scratch.Values.Length != T)
            {
                scratch.Values = new double[T];
                scratch.Index = new double[T];
            }
            values = scratch.Values;
            index = scratch.Index;
        }
        var driftSeries = summaryOnly ? [] : new double[T];
        var bandSeries = summaryOnly ? [] : new double[T];
        double[][]? weights = options.RecordWeights ? Enumerable.Range(0, n).Select(_ => new double[T]).ToArray() : null;
        var ledger = options.RecordLedger ? new List<LedgerEntry>() : null;
        var rebalanceDates = summaryOnly ? null : new List<DateOnly>();
        var rebalances = 0;
        double costs = 0, initialCosts = 0, turnoverSum = 0, driftSum = 0, driftMax = 0;
        var outside = 0;
        var engineCalls = 0;
        DateOnly? depleted = null;

        // The pre-check asks the same trigger in double; an exact run keeps a double planner just for it.
        var gate = options.AlwaysCallEngine ? null : planner is FastStep fs ? fs.Series : new SeriesPlanner(m.Assets, _targets, policy, ex);
        var volRule = policy.Trigger.Kind == TriggerKind.Volatility || policy.Trigger.Volatility is { Scaling: not BandScaling.None } ? policy.Trigger.Volatility : null;
        var v = new double[n];
        var closes = m.Closes;
        var growth = m.CashGrowth;
        var targetsD = _targetDoubles;
        double[]? window = null; // the volatility window's index points, reused from look to look

        for (var t = 0; t < T; t++)
        {
            var date = dates[t];
            var g = growth[t];
            if (g != 1)
            {
                cashD *= g;
                cashFactor *= g;
            }
            double invested = 0;
            for (var i = 0; i < v.Length; i++)
            {
                var x = qd[i] * closes[i][t];
                v[i] = x;
                invested += x;
            }
            var basis = _cashIsAsset ? invested + cashD : invested;

            // Drift before trading.
            if (t > 0 && !summaryOnly)
            {
                double worst = -1, worstBand = 0;
                var isOutside = false;
                var inverse = basis > 0 ? 1 / basis : 0;
                for (var i = 0; i < v.Length; i++)
                {
                    var d = Math.Abs(v[i] * inverse - targetsD[i]);
                    driftSum += d;
                    if (d > worst) { worst = d; worstBand = halves[i]; }
                    isOutside |= d > halves[i];
                }
                if (worst > driftMax) driftMax = worst;
                driftSeries[t] = worst;
                bandSeries[t] = worstBand;
                if (isOutside) outside++;
            }

            var look = t > 0 && lookDue[t];
            var flow = t > 0 && _flowDue[t] && depleted is null;
            var callEngine = t == 0 || flow;
            if ((look || flow) && cashFactor != 1)
            {
                // Interest on cash joins the ledger at every look and flow, whether or not the engine is called.
                cashLedger = planner.GrowCash(cashFactor);
                cashD = cashLedger;
                cashFactor = 1;
            }
            double? vol = null;
            if (volRule is not null && (look || callEngine) && depleted is null && t >= volRule.Window)
            {
                window ??= new double[volRule.Window + 1];
                WithToday(index, t, invested + cashD, values, window);
                vol = RealizedVolatility.Annualized(window, volRule.Window, m.PeriodsPerYear);
            }
            if (!callEngine && look && depleted is null)
            {
                callEngine = true;
                if (gate is not null)
                {
                    gate.SetMarket(vol, closes, lastRebalanceRow);
                    if (gate.SurelyNothingToDo(closes, t, qd, cashLedger, policy.Look.IntervalExceeded(lastRebalanced, date), Margin)) callEngine = false;
                }
            }

            double traded = 0, flowNet = 0;
            if (callEngine)
            {
                engineCalls++;
                // Plans stay exact only within the amounts Ballast accepts; a run that grows past them stops, whichever step plans it.
                if (invested + cashLedger > MaxValue)
                {
                    throw new InputException(new InputProblem(
                        $"the portfolio grew past {Limits.MaxAmount:#,0} by {date:yyyy-MM-dd}, more than Ballast plans exactly; start with less capital or smaller cash flows",
                        Field: "initial"));
                }
                decimal deposit = 0, withdraw = 0;
                if (flow)
                {
                    deposit = _flows!.Amount > 0 ? _flows.Amount : 0;
                    withdraw = _flows.Amount < 0 ? -_flows.Amount : 0;
                }
                if (flow && withdraw > 0 && (double)withdraw >= (invested + cashLedger) * (1 - 1e-12))
                {
                    // The withdrawal takes everything there is: the portfolio is sold out, and nothing more happens to it.
                    withdraw = planner.Everything(t, qd);
                    depleted = date;
                }
                var cashBefore = cashLedger;
                var step = planner.Plan(t, qd, look, lastRebalanced, lastLook, vol, lastRebalanceRow, new Flow(flow, deposit, withdraw), force: t == 0);
                cashLedger = step.Cash;
                if (depleted == date)
                {
                    // Selling out costs something, so the last withdrawal is what the sales fetched.
                    withdraw += planner.SettleDepletion();
                    cashLedger = 0;
                }
                cashD = cashLedger;
                if (step.Action == PlanAction.Rebalance)
                {
                    lastRebalanced = date;
                    lastRebalanceRow = t;
                }
                if (flow) flowNet = (double)(deposit - withdraw);
                traded = step.Traded;
                if (t == 0) initialCosts = step.Costs;
                else
                {
                    costs += step.Costs;
                    if (step.Action == PlanAction.Rebalance)
                    {
                        rebalances++;
                        rebalanceDates?.Add(date);
                    }
                    var before = invested + cashBefore;
                    if (before > 0) turnoverSum += traded / 2 / before;
                }
                if (ledger is not null && (step.Trades.Count > 0 || t == 0))
                {
                    // A recorded ledger always plans exactly (see exact above).
                    var exactStep = (ExactStep)planner;
                    ledger.Add(new LedgerEntry(t, date, step.Action, step.Trades, deposit, withdraw, exactStep.LedgerCash, exactStep.Quantities()));
                }
                invested = 0;
                for (var i = 0; i < n; i++)
                {
                    v[i] = qd[i] * m.Closes[i][t];
                    invested += v[i];
                }
            }
            if (t == 0 || look) lastLook = date;

            var value = invested + cashD;
            values[t] = value;
            index[t] = t == 0 ? value / (double)_initial
                : values[t - 1] > 0 ? index[t - 1] * (value - flowNet) / values[t - 1] : index[t - 1];
            if (weights is not null)
            {
                var b = _cashIsAsset ? value : invested;
                for (var i = 0; i < n; i++) weights[i][t] = b > 0 ? v[i] / b : 0;
            }
        }

        if (T > 1 && !summaryOnly) bandSeries[0] = bandSeries[1]; // row 0 is the purchase at target: no drift, same band as the next close
        var years = (dates[^1].DayNumber - dates[0].DayNumber) / 365.25;
        return new PolicyRunResult(name, policy, values, index)
        {
            Rebalances = rebalances,
            Costs = costs,
            InitialCosts = initialCosts,
            TurnoverPerYear = years > 0 ? turnoverSum / years : 0,
            AverageDrift = T > 1 && n > 0 ? driftSum / ((T - 1) * (double)n) : 0,
            MaxDrift = driftMax,
            ShareOutsideBands = T > 1 ? outside / (double)(T - 1) : 0,
            EngineCalls = engineCalls,
            DriftSeries = driftSeries,
            BandSeries = bandSeries,
            Weights = weights,
            RebalanceDates = (IReadOnlyList<DateOnly>?)rebalanceDates ?? [],
            Ledger = (IReadOnlyList<LedgerEntry>?)ledger ?? [],
            Depleted = depleted,
        };
    }

    /// <summary>
    /// Fills <paramref name="tail"/> (window + 1 long, <paramref name="t"/> ≥ window) with the last points of the
    /// time-weighted index, today's close before trading last, for realized volatility.
    /// </summary>
    private static void WithToday(double[] index, int t, double valueNow, double[] values, double[] tail)
    {
        var window = tail.Length - 1;
        Array.Copy(index, t - window, tail, 0, window);
        tail[^1] = index[t - 1] * valueNow / values[t - 1];
    }

    /// <summary>
    /// Band half-widths per asset (fractions) for the drift statistics: the policy's own bands at their stated
    /// width, or the default 5/25 bands when the policy has none.
    /// </summary>
    private double[] BandHalfWidths(Policy policy)
    {
        var trigger = policy.Trigger;
        var hasBands = !trigger.Band.IsEmpty || trigger.Overrides is { Count: > 0 };
        var halves = new double[_market.Assets.Length];
        for (var i = 0; i < halves.Length; i++)
        {
            var band = hasBands ? trigger.BandFor(_market.Assets[i]) : Policy.Default.Trigger.Band;
            halves[i] = (double)(band.HalfWidth(_targetWeights[i]) ?? 1m);
        }
        return halves;
    }

    /// <summary>The cash flow of a close: whether there is one, and its deposit and withdrawal (currency units, at most one above zero).</summary>
    private readonly record struct Flow(bool Any, decimal Deposit, decimal Withdraw);

    /// <summary>What one plan at one close did, in the run's units.</summary>
    private readonly record struct StepResult(PlanAction Action, double Cash, double Costs, double Traded, IReadOnlyList<Trade> Trades);

    /// <summary>How a run plans at a close: exactly in decimal through <see cref="Planner"/>, or in double through the same rules.</summary>
    private interface IPlanStep
    {
        /// <summary>Grows the plan's cash by <paramref name="factor"/>, rounded to the money unit; returns it.</summary>
        double GrowCash(double factor);

        /// <summary>What the whole portfolio is worth at close <paramref name="t"/>: the most a withdrawal can take.</summary>
        decimal Everything(int t, double[] quantities);

        /// <summary>Plans at close <paramref name="t"/> (<paramref name="lookDue"/>: the look schedule says to look) and applies the trades to <paramref name="quantities"/> and the cash.
        /// <paramref name="lastRebalanceRow"/> is the row of the last rebalance (negative: none), whose closes are the performance trigger's prices then.</summary>
        StepResult Plan(int t, double[] quantities, bool lookDue, DateOnly? lastRebalanced, DateOnly? lastLook, double? volatility, int lastRebalanceRow, Flow flow, bool force);

        /// <summary>After a plan that sold everything to pay a withdrawal of everything: the (negative) amount the sales fell short by, and cash set to zero.</summary>
        decimal SettleDepletion();
    }

    /// <summary>Plans with the engine's <see cref="Planner"/> on a <see cref="Portfolio"/> in decimal: what a live plan would do.</summary>
    private sealed class ExactStep(Backtester owner, Policy policy) : IPlanStep
    {
        private readonly decimal[] _quantities = new decimal[owner._market.Assets.Length];
        private readonly Dictionary<string, Security> _securities = new(owner._market.Assets.Length, StringComparer.Ordinal);
        private decimal _cash = owner._initial;

        public decimal LedgerCash => _cash;

        public decimal[] Quantities() => (decimal[])_quantities.Clone();

        private Dictionary<string, decimal> PricesAt(int row)
        {
            var m = owner._market;
            var prices = new Dictionary<string, decimal>(m.Assets.Length, StringComparer.Ordinal);
            for (var i = 0; i < m.Assets.Length; i++) prices[m.Assets[i]] = MoneyBoundary.ToDecimal(m.Closes[i][row], "price");
            return prices;
        }

        public double GrowCash(double factor)
        {
            _cash = Math.Round(_cash * MoneyBoundary.ToDecimal(factor, "cash growth"), owner._execution.MoneyDecimals);
            return (double)_cash;
        }

        public decimal Everything(int t, double[] quantities)
        {
            var m = owner._market;
            var total = _cash;
            for (var i = 0; i < _quantities.Length; i++) total += _quantities[i] * MoneyBoundary.ToDecimal(m.Closes[i][t], "price");
            return total;
        }

        public decimal SettleDepletion()
        {
            var shortfall = Math.Min(0, _cash);
            _cash = 0;
            return shortfall;
        }

        public StepResult Plan(int t, double[] quantities, bool lookDue, DateOnly? lastRebalanced, DateOnly? lastLook, double? volatility, int lastRebalanceRow, Flow flow, bool force)
        {
            var m = owner._market;
            var ex = owner._execution;
            var n = _quantities.Length;
            var positions = new List<Position>(n);
            _securities.Clear();
            for (var i = 0; i < n; i++)
            {
                var price = MoneyBoundary.ToDecimal(m.Closes[i][t], "price");
                _securities[m.Assets[i]] = new Security(m.Assets[i], price, !ex.WholeShares);
                if (_quantities[i] > 0) positions.Add(new Position(m.Assets[i], _quantities[i] * price, _quantities[i]));
            }
            var portfolio = new Portfolio
            {
                AsOf = m.Dates[t], Cash = _cash, Positions = positions, Targets = owner._targets, Securities = _securities,
                Policy = policy, Execution = ex, LastRebalanced = lastRebalanced, LastLook = lastLook,
                Market = new MarketInputs
                {
                    RealizedVolatility = volatility is { } vol ? MoneyBoundary.ToDecimal(vol, "volatility") : null,
                    PricesAtLastRebalance = policy.Trigger.Kind == TriggerKind.Performance && lastRebalanceRow >= 0 ? PricesAt(lastRebalanceRow) : null,
                },
            };
            var plan = Planner.Create(portfolio, new PlanRequest { ForceRebalance = force, Deposit = flow.Deposit, Withdraw = flow.Withdraw });
            var after = plan.ApplyTo(portfolio);
            Array.Clear(_quantities);
            foreach (var p in after.Positions)
                _quantities[Array.IndexOf(m.Assets, p.Ticker)] = p.Quantity ?? 0;
            for (var i = 0; i < n; i++) quantities[i] = (double)_quantities[i];
            _cash = after.Cash;
            double traded = 0;
            foreach (var tr in plan.Trades) traded += (double)tr.Value;
            return new StepResult(plan.Action, (double)_cash, (double)plan.EstimatedCosts, traded, plan.Trades);
        }
    }

    /// <summary>
    /// Plans in double through the engine's <see cref="SeriesPlanner"/>: the same trigger and planning rules on a
    /// reused workspace, no portfolio, no allocation per plan. The example regression tests hold it to the exact path.
    /// </summary>
    private sealed class FastStep(Backtester owner, Policy policy) : IPlanStep
    {
        public SeriesPlanner Series { get; } = new(owner._assets, owner._targets, policy, owner._execution) { Cash = (double)owner._initial };

        /// <summary>Back to the start of a run: the initial capital in cash.</summary>
        public void Reset() => Series.Cash = (double)owner._initial;

        public double GrowCash(double factor) => Series.GrowCash(factor);

        public decimal Everything(int t, double[] quantities)
        {
            var total = Series.Cash;
            for (var i = 0; i < quantities.Length; i++) total += quantities[i] * owner._market.Closes[i][t];
            return (decimal)total;
        }

        public decimal SettleDepletion()
        {
            var shortfall = Math.Min(0, Series.Cash);
            Series.Cash = 0;
            return (decimal)shortfall;
        }

        public StepResult Plan(int t, double[] quantities, bool lookDue, DateOnly? lastRebalanced, DateOnly? lastLook, double? volatility, int lastRebalanceRow, Flow flow, bool force)
        {
            var m = owner._market;
            Series.Mark(m.Closes, t, quantities);
            Series.SetMarket(volatility, m.Closes, lastRebalanceRow);
            // Most plans have no flow: no decimal conversions for them.
            var (deposit, withdraw) = flow.Any ? ((double)flow.Deposit, (double)flow.Withdraw) : (0d, 0d);
            var intervalExceeded = lookDue && policy.Look.IntervalExceeded(lastRebalanced, m.Dates[t]);
            var (action, costs, traded) = Series.Plan(force, lookDue, intervalExceeded, deposit, withdraw, quantities);
            return new StepResult(action, Series.Cash, costs, traded, []);
        }
    }
}
