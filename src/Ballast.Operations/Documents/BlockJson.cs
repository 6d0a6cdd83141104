using System.Globalization;
using System.Text.Json;
using Ballast.Operations.Blocks;
using Ballast.Store;

namespace Ballast.Operations.Documents;

/// <summary>
/// The one JSON document of a block order, written alike by the command line (<c>ballast blocks list --json</c>, <c>blocks export
/// --json</c>, <c>blocks allocations --json</c>) and the service (<c>/v1/blocks</c>).
/// </summary>
/// <remarks>
/// The summary: <c>id</c>, <c>status</c>, <c>ticker</c>, <c>side</c>, <c>quantity</c>, <c>filled</c>, <c>unfilled</c>, <c>cancelled</c>,
/// <c>window</c> (null when none), <c>createdAt</c>, <c>actor</c>, <c>accounts</c> (how many). The detail adds the allocation report
/// (<c>allocated</c>, <c>averagePrice</c>, <c>amount</c>, <c>fee</c>, <c>cancelNote</c>), the block's <c>lines</c> (each account's
/// ordered quantity, by proposal line), <c>report</c> (per account: ordered, allocated, unfilled, cancelled, average price, amount,
/// fee), the <c>fills</c> and the <c>allocations</c> (what each fill gave each account, and its ledger transaction).
/// </remarks>
public static class BlockJson
{
    /// <summary>Writes <paramref name="b"/> as one object: the summary, or with <paramref name="detail"/> the whole document.</summary>
    public static void Write(Utf8JsonWriter w, BlockInfo b, bool detail)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(b);
        w.WriteStartObject();
        w.WriteNumber("id", b.Id);
        w.WriteString("status", b.Status.ToText());
        w.WriteString("ticker", b.Ticker);
        w.WriteString("side", b.Side.ToText());
        PlanJson.Num(w, "quantity", b.Quantity);
        PlanJson.Num(w, "filled", b.Filled);
        PlanJson.Num(w, "unfilled", b.Unfilled);
        PlanJson.Num(w, "cancelled", b.Cancelled);
        Text(w, "window", b.Window);
        w.WriteString("createdAt", BallastStore.FormatInstant(b.CreatedAt));
        w.WriteString("actor", b.Actor);
        w.WriteNumber("accounts", b.Lines.Select(l => l.Account).Distinct(StringComparer.Ordinal).Count());
        if (detail) Detail(w, b, BlockDesk.Report(b));
        w.WriteEndObject();
    }

    private static void Detail(Utf8JsonWriter w, BlockInfo b, BlockReport r)
    {
        PlanJson.Num(w, "allocated", r.Allocated);
        if (r.AveragePrice is { } price) PlanJson.Num(w, "averagePrice", price);
        else w.WriteNull("averagePrice");
        PlanJson.Num(w, "amount", r.Amount);
        PlanJson.Num(w, "fee", r.Fee);
        Text(w, "cancelNote", b.CancelNote);
        w.WriteStartArray("lines");
        foreach (var l in b.Lines)
        {
            w.WriteStartObject();
            w.WriteString("account", l.Account);
            w.WriteNumber("proposal", l.ProposalId);
            w.WriteNumber("line", l.Line);
            PlanJson.Num(w, "quantity", l.Quantity);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("report");
        foreach (var a in r.Accounts)
        {
            w.WriteStartObject();
            w.WriteString("account", a.Account);
            w.WriteNumber("proposal", a.ProposalId);
            PlanJson.Num(w, "ordered", a.Ordered);
            PlanJson.Num(w, "allocated", a.Allocated);
            PlanJson.Num(w, "unfilled", a.Unfilled);
            PlanJson.Num(w, "cancelled", a.Cancelled);
            if (a.AveragePrice is { } ap) PlanJson.Num(w, "averagePrice", ap);
            else w.WriteNull("averagePrice");
            PlanJson.Num(w, "amount", a.Amount);
            PlanJson.Num(w, "fee", a.Fee);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("fills");
        foreach (var f in b.Fills)
        {
            w.WriteStartObject();
            w.WriteString("executionId", f.ExecutionId);
            w.WriteString("date", f.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            PlanJson.Num(w, "quantity", f.Quantity);
            PlanJson.Num(w, "price", f.Price);
            PlanJson.Num(w, "fee", f.Fee);
            w.WriteNumber("allocation", f.Allocation);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("allocations");
        foreach (var a in b.Allocations)
        {
            w.WriteStartObject();
            w.WriteNumber("allocation", a.Allocation);
            w.WriteString("account", a.Account);
            w.WriteNumber("proposal", a.ProposalId);
            PlanJson.Num(w, "quantity", a.Quantity);
            PlanJson.Num(w, "price", a.Price);
            PlanJson.Num(w, "amount", a.Amount);
            PlanJson.Num(w, "fee", a.Fee);
            w.WriteNumber("transaction", a.TransactionId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
