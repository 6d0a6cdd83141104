using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Drift;
using Ballast.Households;
using Ballast.Planning;

namespace Ballast.Operations.Documents;

/// <summary>
/// The JSON document of <c>check --json</c> and <c>plan --json</c>, and of the service's <c>POST /v1/check</c> and
/// <c>POST /v1/plan</c>: one serializer for every host. Weights and drift are fractions.
/// </summary>
public static class PlanJson
{
    /// <summary>The document; with <paramref name="tax"/>, sells carry their lots and the plan its realized gains, estimated tax and (for a household) each account's trades.</summary>
    /// <param name="fx">For a stored account: how closes in other currencies were priced in the account's, written as <c>fx</c>.</param>
    public static string Write(Ballast.Portfolios.Portfolio portfolio, Plan plan, bool includeAfter, TaxPlan? tax = null, IReadOnlyList<Ballast.Store.PriceConversion>? fx = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions(indented: true))) WriteObject(w, portfolio, plan, includeAfter, tax, fx);
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The same document as a proposal records it (its inputs without <c>after</c>, its plan with it): the same fields, not
    /// indented. A window over a million accounts stores a hundred thousand of each, and indentation was half their bytes.
    /// </summary>
    public static string Stored(Ballast.Portfolios.Portfolio portfolio, Plan plan, bool includeAfter, TaxPlan? tax = null, IReadOnlyList<Ballast.Store.PriceConversion>? fx = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions(indented: false))) WriteObject(w, portfolio, plan, includeAfter, tax, fx);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The writer every Ballast JSON document uses: indented (unless stored), with non-ASCII text kept readable.</summary>
    public static Utf8JsonWriter NewWriter(Stream stream, bool indented = true) => new(stream, WriterOptions(indented));

    private static JsonWriterOptions WriterOptions(bool indented) => new() { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the plan as one JSON object at the writer's current position.</summary>
    public static void WriteObject(Utf8JsonWriter w, Ballast.Portfolios.Portfolio portfolio, Plan plan, bool includeAfter, TaxPlan? tax = null,
        IReadOnlyList<Ballast.Store.PriceConversion>? fx = null)
    {
        var drift = plan.Drift;
        var m = portfolio.Execution.MoneyDecimals;
        w.WriteStartObject();
        w.WriteString("asOf", drift.AsOf.ToString("yyyy-MM-dd"));
        w.WriteString("currency", portfolio.Currency);
        if (fx is { Count: > 0 }) WriteFx(w, fx);
        w.WriteString("policy", portfolio.Policy.Describe());
        w.WriteBoolean("needsRebalancing", drift.NeedsRebalancing);
        w.WriteBoolean("needsAction", drift.NeedsAction);
        w.WriteBoolean("lookDue", drift.LookDue);
        if (drift.NextLook is { } next) w.WriteString("nextLook", next.ToString("yyyy-MM-dd"));
        Strings(w, "reasons", drift.Reasons);
        Money(w, "totalValue", drift.TotalValue, m);
        Money(w, "investedValue", drift.InvestedValue, m);
        Money(w, "cash", drift.Cash, m);
        if (drift.IdleCash > 0) Money(w, "idleCash", drift.IdleCash, m);
        if (drift.CashShortfall > 0) Money(w, "cashShortfall", drift.CashShortfall, m);
        w.WriteStartArray("positions");
        foreach (var p in drift.Positions)
        {
            w.WriteStartObject();
            w.WriteString("ticker", p.Ticker);
            Money(w, "value", p.Value, m);
            if (p.Quantity is { } q) Num(w, "quantity", q);
            Fraction(w, "weight", p.Weight);
            Fraction(w, "target", p.Target);
            Fraction(w, "drift", p.Drift);
            FractionOrNull(w, "lower", p.Lower);
            FractionOrNull(w, "upper", p.Upper);
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
            WriteTrade(w, t, tax is null || t.Side == TradeSide.Buy ? null : lots, m);
        }
        w.WriteEndArray();
        if (tax is not null) WriteTax(w, tax, m);
        if (plan.Deposit > 0) Money(w, "deposit", plan.Deposit, m);
        if (plan.Withdraw > 0) Money(w, "withdraw", plan.Withdraw, m);
        Money(w, "cashAfter", plan.CashAfter, m);
        Money(w, "estimatedCosts", plan.EstimatedCosts, m);
        if (includeAfter)
        {
            w.WriteStartArray("after");
            foreach (var h in plan.After)
            {
                w.WriteStartObject();
                w.WriteString("ticker", h.Ticker);
                Money(w, "value", h.Value, m);
                if (h.Quantity is { } q) Num(w, "quantity", q);
                Fraction(w, "weight", h.Weight);
                Fraction(w, "target", h.Target);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        Strings(w, "warnings", plan.Warnings);
        w.WriteEndObject();
    }

    /// <summary>Each converted price: the security's close and currency, the stored rate used (pair, date, inverse or not) and the price in the account's currency.</summary>
    private static void WriteFx(Utf8JsonWriter w, IReadOnlyList<Ballast.Store.PriceConversion> fx)
    {
        w.WriteStartArray("fx");
        foreach (var c in fx)
        {
            w.WriteStartObject();
            w.WriteString("ticker", c.Ticker);
            w.WriteString("currency", c.Fx.From);
            Num(w, "close", c.Fx.Close);
            w.WriteString("pair", c.Fx.Rate!.Pair);
            w.WriteString("date", c.Fx.Rate.Date.ToString("yyyy-MM-dd"));
            Num(w, "rate", c.Fx.Rate.Rate);
            w.WriteBoolean("inverse", c.Fx.Inverse);
            Num(w, "price", c.Price);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteTrade(Utf8JsonWriter w, Trade t, IReadOnlyList<Ballast.Tax.LotSlice>? lots, int m)
    {
        w.WriteStartObject();
        w.WriteString("ticker", t.Ticker);
        w.WriteString("side", t.Side.ToText());
        Money(w, "value", t.Value, m);
        if (t.Quantity is { } q) Num(w, "quantity", q);
        if (t.Price is { } pr) Num(w, "price", pr);
        Money(w, "cost", t.Cost, m);
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
                Money(w, "proceeds", l.Proceeds, m);
                Money(w, "costBasis", l.CostBasis, m);
                Money(w, "gain", l.Gain, m);
                w.WriteString("term", Term(l.Term));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    public static string Term(Ballast.Tax.HoldingTerm term) => term == Ballast.Tax.HoldingTerm.LongTerm ? "long" : "short";

    private static void WriteTax(Utf8JsonWriter w, TaxPlan tax, int m)
    {
        w.WriteStartObject("realizedGain");
        Money(w, "short", tax.ShortTermGain, m);
        Money(w, "long", tax.LongTermGain, m);
        w.WriteEndObject();
        Money(w, "estimatedTax", tax.EstimatedTax, m);
        w.WriteString("taxStrategy", tax.Strategy);
        if (tax.Accounts.Count > 1 || tax.Accounts[0].Account.Name != TaxProfile.SingleAccountName)
        {
            w.WriteStartArray("accounts");
            foreach (var a in tax.Accounts)
            {
                w.WriteStartObject();
                w.WriteString("name", a.Account.Name);
                w.WriteString("type", Account.TypeWord(a.Account.Type));
                Money(w, "cashBefore", a.CashBefore, m);
                Money(w, "cashAfter", a.CashAfter, m);
                w.WriteStartArray("trades");
                foreach (var t in a.Trades) WriteTrade(w, t.Trade, t.Trade.Side == TradeSide.Sell && a.Account.IsTaxable ? t.Lots?.Slices ?? [] : null, m);
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
                Money(w, "amount", t.Amount, m);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
    }

    /// <summary>Decimals of a fraction (weight, drift, band edge) in JSON: far below anything a policy can tell apart.</summary>
    public const int FractionDecimals = 10;

    // Decimal keeps the scale of its inputs (0.3200); print the shortest exact form instead, and zero without a sign.
    public static void Num(Utf8JsonWriter w, string name, decimal value) => w.WriteNumber(name, Decimals.Shortest(value));

    /// <summary>A fraction, to at most <see cref="FractionDecimals"/> decimals (a quotient such as 2/3 has 28).</summary>
    public static void Fraction(Utf8JsonWriter w, string name, decimal value) =>
        Num(w, name, Math.Round(value, FractionDecimals, MidpointRounding.AwayFromZero));

    /// <summary>An amount of money, to the portfolio's money decimals.</summary>
    public static void Money(Utf8JsonWriter w, string name, decimal value, int decimals) =>
        Num(w, name, Math.Round(value, decimals, MidpointRounding.AwayFromZero));

    public static string Status(BandStatus s) => s switch { BandStatus.Above => "above", BandStatus.Below => "below", _ => "within" };

    private static void FractionOrNull(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v) Fraction(w, name, v);
        else w.WriteNull(name);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var s in values) w.WriteStringValue(s);
        w.WriteEndArray();
    }
}
