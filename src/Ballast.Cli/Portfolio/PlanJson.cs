using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Drift;
using Ballast.Planning;

namespace Ballast.Cli.Portfolio;

/// <summary>The JSON document of <c>check --json</c> and <c>plan --json</c>. Weights and drift are fractions.</summary>
internal static class PlanJson
{
    public static string Write(Ballast.Portfolios.Portfolio portfolio, Plan plan, bool includeAfter)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var drift = plan.Drift;
            w.WriteStartObject();
            w.WriteString("asOf", drift.AsOf.ToString("yyyy-MM-dd"));
            w.WriteString("currency", portfolio.Currency);
            w.WriteString("policy", portfolio.Policy.Describe());
            w.WriteBoolean("needsRebalancing", drift.NeedsRebalancing);
            w.WriteBoolean("lookDue", drift.LookDue);
            if (drift.NextLook is { } next) w.WriteString("nextLook", next.ToString("yyyy-MM-dd"));
            Strings(w, "reasons", drift.Reasons);
            Num(w, "totalValue", drift.TotalValue);
            Num(w, "investedValue", drift.InvestedValue);
            Num(w, "cash", drift.Cash);
            w.WriteStartArray("positions");
            foreach (var p in drift.Positions)
            {
                w.WriteStartObject();
                w.WriteString("ticker", p.Ticker);
                Num(w, "value", p.Value);
                if (p.Quantity is { } q) Num(w, "quantity", q);
                Num(w, "weight", p.Weight);
                Num(w, "target", p.Target);
                Num(w, "drift", p.Drift);
                NumberOrNull(w, "lower", p.Lower);
                NumberOrNull(w, "upper", p.Upper);
                w.WriteString("status", Status(p.Status));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("action", plan.Action switch
            {
                PlanAction.Rebalance => "rebalance",
                PlanAction.InvestCash => "invest-cash",
                PlanAction.RaiseCash => "raise-cash",
                _ => "none",
            });
            w.WriteStartArray("trades");
            foreach (var t in plan.Trades)
            {
                w.WriteStartObject();
                w.WriteString("ticker", t.Ticker);
                w.WriteString("side", t.Side == TradeSide.Buy ? "buy" : "sell");
                Num(w, "value", t.Value);
                if (t.Quantity is { } q) Num(w, "quantity", q);
                if (t.Price is { } pr) Num(w, "price", pr);
                Num(w, "cost", t.Cost);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (plan.Deposit > 0) Num(w, "deposit", plan.Deposit);
            if (plan.Withdraw > 0) Num(w, "withdraw", plan.Withdraw);
            Num(w, "cashAfter", plan.CashAfter);
            Num(w, "estimatedCosts", plan.EstimatedCosts);
            if (includeAfter)
            {
                w.WriteStartArray("after");
                foreach (var h in plan.After)
                {
                    w.WriteStartObject();
                    w.WriteString("ticker", h.Ticker);
                    Num(w, "value", h.Value);
                    if (h.Quantity is { } q) Num(w, "quantity", q);
                    Num(w, "weight", h.Weight);
                    Num(w, "target", h.Target);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            Strings(w, "warnings", plan.Warnings);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    // Decimal keeps the scale of its inputs (0.3200); print the shortest exact form instead.
    private static void Num(Utf8JsonWriter w, string name, decimal value) => w.WriteNumber(name, value / 1.0000000000000000000000000000m);

    internal static string Status(BandStatus s) => s switch { BandStatus.Above => "above", BandStatus.Below => "below", _ => "within" };

    private static void NumberOrNull(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v) Num(w, name, v);
        else w.WriteNull(name);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var s in values) w.WriteStringValue(s);
        w.WriteEndArray();
    }
}
