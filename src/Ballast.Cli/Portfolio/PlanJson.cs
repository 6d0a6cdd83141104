using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Drift;
using Ballast.Households;
using Ballast.Planning;

namespace Ballast.Cli.Portfolio;

/// <summary>The JSON document of <c>check --json</c> and <c>plan --json</c>. Weights and drift are fractions.</summary>
internal static class PlanJson
{
    /// <summary>The document; with <paramref name="tax"/>, sells carry their lots and the plan its realized gains, estimated tax and (for a household) each account's trades.</summary>
    public static string Write(Ballast.Portfolios.Portfolio portfolio, Plan plan, bool includeAfter, TaxPlan? tax = null)
    {
        using var stream = new MemoryStream();
        using (var w = NewWriter(stream)) WriteObject(w, portfolio, plan, includeAfter, tax);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The writer every Ballast JSON document uses: indented, with non-ASCII text kept readable.</summary>
    internal static Utf8JsonWriter NewWriter(Stream stream) =>
        new(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Writes the plan as one JSON object at the writer's current position.</summary>
    internal static void WriteObject(Utf8JsonWriter w, Ballast.Portfolios.Portfolio portfolio, Plan plan, bool includeAfter, TaxPlan? tax = null)
    {
        var drift = plan.Drift;
        w.WriteStartObject();
        w.WriteString("asOf", drift.AsOf.ToString("yyyy-MM-dd"));
        w.WriteString("currency", portfolio.Currency);
        w.WriteString("policy", portfolio.Policy.Describe());
        w.WriteBoolean("needsRebalancing", drift.NeedsRebalancing);
        w.WriteBoolean("needsAction", drift.NeedsAction);
        w.WriteBoolean("lookDue", drift.LookDue);
        if (drift.NextLook is { } next) w.WriteString("nextLook", next.ToString("yyyy-MM-dd"));
        Strings(w, "reasons", drift.Reasons);
        Num(w, "totalValue", drift.TotalValue);
        Num(w, "investedValue", drift.InvestedValue);
        Num(w, "cash", drift.Cash);
        if (drift.IdleCash > 0) Num(w, "idleCash", drift.IdleCash);
        if (drift.CashShortfall > 0) Num(w, "cashShortfall", drift.CashShortfall);
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
            var lots = tax?.Accounts.SelectMany(a => a.Trades).Where(x => x.Trade.Ticker == t.Ticker && x.Trade.Side == t.Side && x.Lots is not null)
                .SelectMany(x => x.Lots!.Slices).ToList();
            WriteTrade(w, t, tax is null || t.Side == TradeSide.Buy ? null : lots);
        }
        w.WriteEndArray();
        if (tax is not null) WriteTax(w, tax);
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

    private static void WriteTrade(Utf8JsonWriter w, Trade t, IReadOnlyList<Ballast.Tax.LotSlice>? lots)
    {
        w.WriteStartObject();
        w.WriteString("ticker", t.Ticker);
        w.WriteString("side", t.Side == TradeSide.Buy ? "buy" : "sell");
        Num(w, "value", t.Value);
        if (t.Quantity is { } q) Num(w, "quantity", q);
        if (t.Price is { } pr) Num(w, "price", pr);
        Num(w, "cost", t.Cost);
        if (lots is not null)
        {
            w.WriteStartArray("lots");
            foreach (var l in lots)
            {
                w.WriteStartObject();
                w.WriteString("lotId", l.LotId);
                w.WriteString("account", l.Account);
                w.WriteString("acquired", l.Acquired.ToString("yyyy-MM-dd"));
                Num(w, "quantity", l.Quantity);
                Num(w, "proceeds", l.Proceeds);
                Num(w, "costBasis", l.CostBasis);
                Num(w, "gain", l.Gain);
                w.WriteString("term", Term(l.Term));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    internal static string Term(Ballast.Tax.HoldingTerm term) => term == Ballast.Tax.HoldingTerm.LongTerm ? "long" : "short";

    private static void WriteTax(Utf8JsonWriter w, TaxPlan tax)
    {
        w.WriteStartObject("realizedGain");
        Num(w, "short", tax.ShortTermGain);
        Num(w, "long", tax.LongTermGain);
        w.WriteEndObject();
        Num(w, "estimatedTax", tax.EstimatedTax);
        w.WriteString("taxStrategy", tax.Strategy);
        if (tax.Accounts.Count > 1 || tax.Accounts[0].Account.Name != TaxProfile.SingleAccountName)
        {
            w.WriteStartArray("accounts");
            foreach (var a in tax.Accounts)
            {
                w.WriteStartObject();
                w.WriteString("name", a.Account.Name);
                w.WriteString("type", Account.TypeWord(a.Account.Type));
                Num(w, "cashBefore", a.CashBefore);
                Num(w, "cashAfter", a.CashAfter);
                w.WriteStartArray("trades");
                foreach (var t in a.Trades) WriteTrade(w, t.Trade, t.Trade.Side == TradeSide.Sell && a.Account.IsTaxable ? t.Lots?.Slices ?? [] : null);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("transfers");
            foreach (var t in tax.Transfers)
            {
                w.WriteStartObject();
                w.WriteString("from", t.From);
                w.WriteString("to", t.To);
                Num(w, "amount", t.Amount);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
    }

    // Decimal keeps the scale of its inputs (0.3200); print the shortest exact form instead.
    internal static void Num(Utf8JsonWriter w, string name, decimal value) => w.WriteNumber(name, value / 1.0000000000000000000000000000m);

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
