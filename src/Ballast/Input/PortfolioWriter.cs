using System.Globalization;
using System.Text;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Input;

/// <summary>
/// Writes a portfolio in the portfolio-file format that <see cref="PortfolioReader"/> reads, as YAML or JSON
/// (the same schema; JSON is written as a YAML-compatible document). Amounts are written exactly, in invariant
/// culture; percentages as fractions.
/// </summary>
public static class PortfolioWriter
{
    public static string Write(Portfolio p, bool json)
    {
        var w = new Writer(json);
        w.Open();
        w.Field("asOf", Date(p.AsOf));
        w.Field("currency", Str(p.Currency));
        w.Field("cash", Num(p.Cash));
        if (p.LastRebalanced is { } lr) w.Field("lastRebalanced", Date(lr));
        if (p.LastLook is { } ll) w.Field("lastLook", Date(ll));
        w.Field("holdings", "[" + string.Join(", ", p.Positions.Select(h => Holding(p, h))) + "]");
        var unheld = p.Targets.Where(t => t.Ticker != Portfolio.CashTicker && p.Positions.All(h => h.Ticker != t.Ticker) && p.FindSecurity(t.Ticker)?.Price is not null).ToList();
        if (unheld.Count > 0) w.Field("prices", "{ " + string.Join(", ", unheld.Select(t => $"{Str(t.Ticker)}: {Num(p.FindSecurity(t.Ticker)!.Price!.Value)}")) + " }");
        w.Field("targets", "{ " + string.Join(", ", p.Targets.Select(t => $"{Str(t.Ticker)}: {Num(t.Weight)}")) + " }");
        w.Field("policy", Policy(p.Policy));
        w.Field("execution", Execution(p.Execution));
        w.Close();
        return w.ToString();
    }

    private static string Holding(Portfolio p, Position h)
    {
        var sec = p.FindSecurity(h.Ticker);
        var parts = new List<string> { $"{Str("ticker")}: {Str(h.Ticker)}" };
        if (h.Quantity is { } q && sec?.Price is { } price && q * price == h.Value)
        {
            parts.Add($"{Str("quantity")}: {Num(q)}");
            parts.Add($"{Str("price")}: {Num(price)}");
        }
        else
        {
            parts.Add($"{Str("value")}: {Num(h.Value)}");
            if (sec?.Price is { } pr) parts.Add($"{Str("price")}: {Num(pr)}");
        }
        if (sec is { Fractional: false }) parts.Add($"{Str("fractional")}: false");
        if (sec?.AssetClass is { } ac) parts.Add($"{Str("assetClass")}: {Str(ac)}");
        return "{ " + string.Join(", ", parts) + " }";
    }

    /// <summary>A policy as a flow mapping in the <c>policy:</c> vocabulary.</summary>
    public static string Policy(Policy policy)
    {
        var parts = new List<string>
        {
            $"{Str("look")}: {Str(policy.Look.ToString())}",
        };
        if (policy.Look.MaxIntervalDays is { } m) parts.Add($"{Str("maxIntervalDays")}: {m}");
        var t = policy.Trigger;
        parts.Add($"{Str("trigger")}: {Str(t.Rule.Word)}");
        if (t.Band.Absolute is { } a) parts.Add($"{Str("absolute")}: {Num(a)}");
        if (t.Band.Relative is { } r) parts.Add($"{Str("relative")}: {Num(r)}");
        if (t.Overrides is { Count: > 0 } o)
            parts.Add($"{Str("bands")}: {{ " + string.Join(", ", o.Select(b => $"{Str(b.Key)}: {{ " + string.Join(", ",
                new[] { b.Value.Absolute is { } ba ? $"{Str("absolute")}: {Num(ba)}" : null, b.Value.Relative is { } br ? $"{Str("relative")}: {Num(br)}" : null }.Where(x => x is not null)) + " }")) + " }");
        if (t.Volatility is { } v)
        {
            var vp = new List<string> { $"{Str("window")}: {v.Window}", $"{Str("reference")}: {Num(v.Reference)}", $"{Str("scaleBands")}: {Str(v.Scaling.ToString().ToLowerInvariant())}" };
            if (v.Level is { } lv) vp.Add($"{Str("level")}: {Num(lv)}");
            parts.Add($"{Str("volatility")}: {{ " + string.Join(", ", vp) + " }");
        }
        if (t.Performance is { } pr)
        {
            var pp = new List<string> { $"{Str("leader")}: {Str(pr.Leader)}" };
            if (pr.Laggard is { } lag) pp.Add($"{Str("laggard")}: {Str(lag)}");
            pp.Add($"{Str("level")}: {Num(pr.Level)}");
            parts.Add($"{Str("performance")}: {{ " + string.Join(", ", pp) + " }");
        }
        if (policy.CashBand != 0) parts.Add($"{Str("cashBand")}: {Num(policy.CashBand)}");
        parts.Add($"{Str("rebalanceTo")}: {Str(policy.RebalanceTo == RebalanceTarget.InnerRail ? "inner-rail" : "target")}");
        parts.Add($"{Str("rail")}: {Num(policy.Rail)}");
        return "{ " + string.Join(", ", parts) + " }";
    }

    private static string Execution(ExecutionOptions e) => "{ " + string.Join(", ",
        $"{Str("wholeShares")}: {(e.WholeShares ? "true" : "false")}",
        $"{Str("minTrade")}: {Num(e.MinTrade)}",
        $"{Str("cashReserve")}: {Num(e.CashReserve)}",
        $"{Str("commission")}: {Num(e.Costs.FixedPerTrade)}",
        $"{Str("commissionBps")}: {Num(e.Costs.CommissionBps)}",
        $"{Str("halfSpreadBps")}: {Num(e.Costs.HalfSpreadBps)}",
        $"{Str("method")}: {Str(e.CashFlowMethod.ToString().ToLowerInvariant())}",
        $"{Str("moneyDecimals")}: {e.MoneyDecimals}",
        $"{Str("quantityDecimals")}: {e.QuantityDecimals}") + " }";

    private static string Num(decimal d) => Decimals.Shortest(d).ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly d) => Str(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>A double-quoted string, valid in both YAML and JSON.</summary>
    private static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < ' ': sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Top-level fields as a YAML block mapping or a JSON object; the values are flow syntax both accept.</summary>
    private sealed class Writer(bool json)
    {
        private readonly StringBuilder _sb = new();
        private bool _first = true;

        public void Open()
        {
            if (json) _sb.Append("{\n");
        }

        public void Field(string name, string value)
        {
            if (json)
            {
                if (!_first) _sb.Append(",\n");
                _sb.Append("  ").Append(Str(name)).Append(": ").Append(value);
            }
            else
            {
                _sb.Append(name).Append(": ").Append(value).Append('\n');
            }
            _first = false;
        }

        public void Close()
        {
            if (json) _sb.Append("\n}\n");
        }

        public override string ToString() => _sb.ToString();
    }
}
