using System.Text.Json;
using Ballast.Operations.Documents;
using Ballast.Store;
using Ballast.Store.Ledger;
using static Ballast.Service.Resources.Resource;

namespace Ballast.Service.Resources;

/// <summary>The JSON shapes of the stored resources (camelCase; money and quantities as numbers printed from their decimals exactly).</summary>
internal static class ResourceJson
{
    public static void Account(Utf8JsonWriter w, AccountResource a)
    {
        w.WriteStartObject();
        Num(w, "id", a.Id);
        w.WriteString("name", a.Name);
        Text(w, "household", a.Household);
        w.WriteString("type", a.Type);
        w.WriteString("currency", a.Currency);
        Text(w, "model", a.Model);
        if (a.ModelVersion is { } v) Num(w, "modelVersion", v);
        else w.WriteNull("modelVersion");
        w.WriteBoolean("ownPolicy", a.Policy is not null);
        w.WriteString("lotMethod", a.LotMethod);
        w.WriteBoolean("allowMargin", a.AllowMargin);
        Text(w, "hold", a.Hold);
        Num(w, "cash", a.Cash);
        w.WriteString("createdAt", Instant(a.CreatedAt));
        w.WriteEndObject();
    }

    public static void Household(Utf8JsonWriter w, HouseholdResource h)
    {
        w.WriteStartObject();
        Num(w, "id", h.Id);
        w.WriteString("name", h.Name);
        Text(w, "hold", h.Hold);
        w.WriteStartArray("accounts");
        foreach (var a in h.Accounts) w.WriteStringValue(a);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void Model(Utf8JsonWriter w, ModelResource m)
    {
        w.WriteStartObject();
        ModelFields(w, m);
        w.WriteEndObject();
    }

    private static void ModelFields(Utf8JsonWriter w, ModelResource m)
    {
        Num(w, "id", m.Id);
        w.WriteString("name", m.Name);
        Num(w, "latestVersion", m.LatestVersion);
        Num(w, "accounts", m.Accounts);
        w.WriteString("createdAt", Instant(m.CreatedAt));
    }

    /// <summary>A model with every version (targets, policy, execution settings) and the accounts that follow it.</summary>
    public static void ModelDetail(Utf8JsonWriter w, ModelResource m, ModelListing listing, Func<int, ModelInfo?> version)
    {
        ModelFields(w, m);
        w.WriteStartArray("versions");
        foreach (var v in listing.Versions)
        {
            w.WriteStartObject();
            Num(w, "version", v.Version);
            w.WriteString("createdAt", Instant(v.CreatedAt));
            w.WriteString("actor", v.Actor);
            w.WriteStartObject("targets");
            foreach (var t in v.Targets) Num(w, t.Key, t.Value);
            w.WriteEndObject();
            Text(w, "policy", v.HasPolicy ? version(v.Version)?.Policy : null);
            Text(w, "execution", v.Execution);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("accountNames");
        foreach (var a in listing.Accounts) w.WriteStringValue(a);
        w.WriteEndArray();
    }

    public static void Holding(Utf8JsonWriter w, HoldingResource h)
    {
        w.WriteStartObject();
        w.WriteString("ticker", h.Ticker);
        Num(w, "quantity", h.Quantity);
        Number(w, "price", h.Price);
        Text(w, "priceDate", h.PriceDate is { } d ? Date(d) : null);
        Number(w, "value", h.Value);
        w.WriteEndObject();
    }

    public static void Lot(Utf8JsonWriter w, LotResource l)
    {
        w.WriteStartObject();
        Num(w, "id", l.Id);
        w.WriteString("ticker", l.Ticker);
        w.WriteString("openDate", Date(l.OpenDate));
        Num(w, "quantity", l.Quantity);
        Num(w, "remaining", l.Remaining);
        Number(w, "cost", l.Cost);
        Number(w, "price", l.Price);
        Number(w, "value", l.Value);
        Number(w, "unrealizedGain", l.UnrealizedGain);
        w.WriteEndObject();
    }

    public static void Transaction(Utf8JsonWriter w, LedgerEntry t)
    {
        w.WriteStartObject();
        Num(w, "id", t.Id);
        w.WriteString("account", t.Account);
        w.WriteString("kind", t.Kind.ToText());
        w.WriteString("date", Date(t.Date));
        Text(w, "ticker", t.Ticker);
        Num(w, "quantity", t.Quantity);
        Number(w, "price", t.Price);
        Num(w, "cash", t.Cash);
        Num(w, "fee", t.Fee);
        Text(w, "executionId", t.ExecutionId);
        if (t.ProposalId is { } p) Num(w, "proposal", p);
        else w.WriteNull("proposal");
        Text(w, "memo", t.Memo);
        w.WriteString("recordedAt", Instant(t.RecordedAt));
        w.WriteEndObject();
    }

    public static void Schedule(Utf8JsonWriter w, StoredSchedule s)
    {
        w.WriteStartObject();
        w.WriteString("kind", Schedules.KindWord(s.Kind));
        Text(w, "name", s.Kind == ScheduleKind.Firm ? null : s.Name);
        w.WriteString("text", s.Text);
        w.WriteString("setAt", Instant(s.SetAt));
        w.WriteString("actor", s.Actor);
        w.WriteEndObject();
    }

    public static void WindowRun(Utf8JsonWriter w, WindowRunInfo r)
    {
        w.WriteStartObject();
        WindowRunFields(w, r);
        w.WriteEndObject();
    }

    public static void WindowRunFields(Utf8JsonWriter w, WindowRunInfo r)
    {
        Num(w, "id", r.Id);
        w.WriteString("window", r.WindowId);
        w.WriteString("date", Date(r.Date));
        w.WriteString("cutOff", Instant(r.CutOff));
        w.WriteString("status", r.Status);
        w.WriteString("startedAt", Instant(r.StartedAt));
        Text(w, "finishedAt", r.FinishedAt is { } f ? Instant(f) : null);
        w.WriteString("actor", r.Actor);
        Num(w, "accounts", r.Accounts);
        Num(w, "evaluated", r.Evaluated);
        Num(w, "rebalanced", r.Rebalanced);
        Num(w, "skipped", r.Skipped);
        Text(w, "error", r.Error);
    }

    public static void Counts(Utf8JsonWriter w, IReadOnlyList<(string Outcome, string Kind, long Count)> counts)
    {
        w.WriteStartArray("counts");
        foreach (var (outcome, kind, count) in counts)
        {
            w.WriteStartObject();
            w.WriteString("outcome", outcome);
            w.WriteString("reason", kind);
            Num(w, "accounts", count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void Verdict(Utf8JsonWriter w, WindowVerdictResource v)
    {
        w.WriteStartObject();
        w.WriteString("account", v.Account);
        w.WriteString("decision", v.Decision);
        w.WriteString("outcome", v.Outcome);
        w.WriteString("reasonKind", v.Kind);
        w.WriteString("reason", v.Reason);
        if (v.ProposalId is { } p) Num(w, "proposal", p);
        else w.WriteNull("proposal");
        w.WriteEndObject();
    }

    /// <summary>A proposal: its status, scope and orders with what was filled; with <paramref name="detail"/> also its inputs and plan (the check/plan JSON documents).</summary>
    public static void Proposal(Utf8JsonWriter w, ProposalInfo p, bool detail = false, ProposalRejection? rejection = null)
    {
        w.WriteStartObject();
        Num(w, "id", p.Id);
        w.WriteString("status", p.Status.ToText());
        w.WriteString("createdAt", Instant(p.CreatedAt));
        w.WriteString("actor", p.Actor);
        w.WriteString("scope", p.Scope);
        w.WriteString("engineVersion", p.EngineVersion);
        w.WriteStartArray("orders");
        for (var i = 0; i < p.Orders.Count; i++)
        {
            var o = p.Orders[i];
            w.WriteStartObject();
            Num(w, "line", i + 1);
            w.WriteString("account", o.Account);
            w.WriteString("ticker", o.Ticker);
            w.WriteString("side", o.Side.ToText());
            Num(w, "quantity", o.Quantity);
            Number(w, "price", o.Price);
            Num(w, "filled", p.Filled[i]);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (rejection is not null)
        {
            w.WriteStartObject("rejection");
            w.WriteString("at", Instant(rejection.At));
            w.WriteString("actor", rejection.Actor);
            w.WriteString("reason", rejection.Reason);
            w.WriteEndObject();
        }
        if (detail)
        {
            Text(w, "policy", p.Policy);
            w.WritePropertyName("inputs");
            w.WriteRawValue(p.InputsJson);
            w.WritePropertyName("plan");
            w.WriteRawValue(p.PlanJson);
        }
        w.WriteEndObject();
    }

    /// <summary>A block order; with <paramref name="detail"/> its lines (the accounts' orders), fills and allocations.</summary>
    /// <summary>A block: the one block document (<see cref="BlockJson"/>), as the command line writes it.</summary>
    public static void Block(Utf8JsonWriter w, BlockInfo b, bool detail = false) => BlockJson.Write(w, b, detail);

    public static void Restriction(Utf8JsonWriter w, RestrictionResource x)
    {
        var r = x.Restriction;
        w.WriteStartObject();
        Num(w, "id", x.Id);
        w.WriteString("scope", r.Scope.ToString().ToLowerInvariant());
        Text(w, "name", r.Scope == RestrictionScope.Firm ? null : r.Name);
        w.WriteString("ticker", r.Ticker);
        w.WriteString("kind", BallastStore.KindWord(r.Kind));
        Number(w, "maxWeight", r.MaxWeight);
        Text(w, "reason", r.Reason);
        w.WriteString("setAt", Instant(r.SetAt));
        w.WriteString("actor", r.Actor);
        w.WriteEndObject();
    }


    /// <summary>A money amount, quantity or price as every Ballast document writes it (<see cref="PlanJson.Num"/>: no trailing zeros).</summary>
    private static void Num(Utf8JsonWriter w, string name, decimal value) => PlanJson.Num(w, name, value);

    private static void Num(Utf8JsonWriter w, string name, long value) => w.WriteNumber(name, value);
}
