using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Operations.Desk;
using Ballast.Store;
using Ballast.Store.Ledger;
using Microsoft.AspNetCore.Http;
using static Ballast.Service.Dashboard.DeskCharts;

namespace Ballast.Service.Dashboard;

/// <summary>
/// The desk's pages: each reads through the operations layer or the store (as the person's tenant sees it), writes the page's body and
/// returns its status. The approve and reject actions call the store's approval code, as <c>ballast proposals approve|reject</c> do.
/// </summary>
internal static class DeskPages
{
    private const string P = DeskEndpoints.Prefix;
    private const int TableLimit = 200;

    private static readonly string[] Palette = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"];

    private static string AccountHref(string name) => $"{P}/accounts/{Html.Segment(name)}";
    private static string ModelHref(string name) => $"{P}/models/{Html.Segment(name)}";
    private static string WindowHref(string window) => $"{P}/windows/{Html.Segment(window)}";

    private static string Count(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n:#,0} {many}";

    private static string StatusBadge(string status) => $"<span class=\"status st-{Html.Encode(status.Replace(' ', '-'))}\">{Html.Encode(status)}</span>";

    // ---- the exception queue -------------------------------------------------------------------------------------------

    public static int Queue(DeskRequest r, Html h)
    {
        var queue = ExceptionQueue.Build(r.Store, r.Today);
        h.El("h1", "Exception queue");
        h.El("p", $"As of {Html.Date(queue.AsOf)}: {Count(queue.Accounts, "account", "accounts")} checked, {Count(queue.Items.Count, "exception", "exceptions")}.", "lede");
        var counts = queue.Counts.Where(c => c.Count > 0).ToList();
        if (counts.Count > 0)
        {
            Stacked(h, "queue", "Exceptions by kind", [new Series("accounts", "k-account"), new Series("orders", "k-order"), new Series("deliveries", "k-delivery")],
                [.. counts.Select(c => new Stack(ExceptionQueue.Words(c.Kind), "#" + KindId(c.Kind),
                    [.. new[] { "k-account", "k-order", "k-delivery" }.Select(k => k == KindClass(c.Kind) ? c.Count : 0.0)], Count(c.Count, "item", "items")))],
                "items", v => Html.Number(v));
        }
        if (queue.Items.Count == 0)
        {
            h.El("p", "Nothing needs attention: every account is within its bands, no order is open and every webhook delivers.", "empty");
            return StatusCodes.Status200OK;
        }
        foreach (var group in queue.Items.GroupBy(i => i.Kind))
        {
            var items = group.ToList();
            h.Raw($"<section class=\"queue-group\"><h2 id=\"{KindId(group.Key)}\">").Text(ExceptionQueue.Words(group.Key))
                .Raw(" <span class=\"count\">").Text(items.Count.ToString("#,0", Html.Invariant)).Raw("</span></h2>");
            h.Raw("<div class=\"table-wrap\"><table class=\"queue\">").Head("Account", "What", "#Max drift", "").Raw("<tbody>");
            foreach (var i in items.Take(TableLimit))
            {
                h.Raw("<tr><td>");
                if (i.Account is { } a) h.Link(AccountHref(a), a);
                h.Raw("</td>").El("td", i.Detail).El("td", i.MaxDrift is { } d ? Html.Percent(d, 2) : "", "num").Raw("<td>");
                if (i.ProposalId is not null) h.Link($"{P}/proposals#proposal-{i.ProposalId}", "proposal");
                else if (i.Account is { } acc) h.Link(AccountHref(acc), "account");
                h.Raw("</td></tr>");
            }
            h.Raw("</tbody></table></div>");
            if (items.Count > TableLimit) h.El("p", $"… and {items.Count - TableLimit:#,0} more.", "more");
            h.Raw("</section>");
        }
        return StatusCodes.Status200OK;
    }

    private static string KindId(DeskExceptionKind kind) => "kind-" + kind.ToString().ToLowerInvariant();

    private static string KindClass(DeskExceptionKind kind) => kind switch
    {
        DeskExceptionKind.PartlyFilled or DeskExceptionKind.PendingOrders => "k-order",
        DeskExceptionKind.FailedDelivery => "k-delivery",
        _ => "k-account",
    };

    // ---- window runs --------------------------------------------------------------------------------------------------

    private static readonly (string Outcome, string Class)[] Outcomes = [("rebalanced", "o-rebalanced"), ("no trades", "o-none"), ("skipped", "o-skipped"), ("not evaluated", "o-idle")];

    public static int Windows(DeskRequest r, Html h)
    {
        var runs = r.Store.WindowRuns();
        h.El("h1", "Window runs");
        if (runs.Count == 0)
        {
            h.El("p", "No window has run yet ('ballast window run').", "empty");
            return StatusCodes.Status200OK;
        }
        var recent = runs.Take(12).ToList();
        Stacked(h, "windows", "Accounts of each run, by outcome", [.. Outcomes.Select(o => new Series(o.Outcome, o.Class))],
            [.. recent.Select(run =>
            {
                var counts = r.Store.WindowRunCounts(run.Id);
                return new Stack(run.WindowId, WindowHref(run.WindowId), [.. Outcomes.Select(o => (double)counts.Where(c => c.Outcome == o.Outcome).Sum(c => c.Count))],
                    $"{run.Status}: {run.Rebalanced:#,0} of {run.Accounts:#,0} rebalanced");
            })], "accounts", v => v.ToString("#,0", Html.Invariant));
        h.Raw("<div class=\"table-wrap\"><table>").Head("Window", "Status", "#Accounts", "#Evaluated", "#Rebalanced", "#Skipped", "Started", "Blocks").Raw("<tbody>");
        var blocks = r.Store.Blocks().Where(b => b.Window is not null).ToLookup(b => b.Window!);
        foreach (var run in runs.Take(TableLimit))
        {
            h.Raw("<tr><td>").Link(WindowHref(run.WindowId), run.WindowId).Raw("</td><td>").Raw(StatusBadge(run.Status)).Raw("</td>")
                .El("td", run.Accounts.ToString("#,0", Html.Invariant), "num").El("td", run.Evaluated.ToString("#,0", Html.Invariant), "num")
                .El("td", run.Rebalanced.ToString("#,0", Html.Invariant), "num").El("td", run.Skipped.ToString("#,0", Html.Invariant), "num")
                .El("td", Html.Instant(run.StartedAt)).El("td", blocks[run.WindowId].Count().ToString(Html.Invariant), "num").Raw("</tr>");
        }
        h.Raw("</tbody></table></div>");
        return StatusCodes.Status200OK;
    }

    public static int Window(DeskRequest r, Html h)
    {
        var id = r.Route("window")!;
        var run = r.Store.FindWindowRun(id) ?? throw new InputException(new InputProblem($"no window run '{id}'"));
        h.El("h1", $"Window {run.WindowId}");
        h.Raw("<p class=\"lede\">").Raw(StatusBadge(run.Status)).Text($" {run.Date:yyyy-MM-dd}, cut-off {Html.Instant(run.CutOff)}; {run.Accounts:#,0} accounts, {run.Evaluated:#,0} evaluated, {run.Rebalanced:#,0} rebalanced, {run.Skipped:#,0} skipped. Run by {run.Actor}, started {Html.Instant(run.StartedAt)}{(run.FinishedAt is { } f ? ", finished " + Html.Instant(f) : "")}.").Raw("</p>");
        if (run.Error is { } error) h.El("p", error, "flash error");
        var blocks = r.Store.Blocks().Where(b => b.Window == run.WindowId).OrderBy(b => b.Id).ToList();
        h.El("h2", "Block orders");
        if (blocks.Count == 0)
            h.El("p", "No block yet: approved proposals join the window's blocks with 'ballast window blocks " + run.WindowId + "'.", "empty");
        else
        {
            Stacked(h, "blocks", "Shares of each block: filled, cancelled, still open",
                [new Series("filled", "b-filled"), new Series("cancelled", "b-cancelled"), new Series("open", "b-open")],
                [.. blocks.Select(b => new Stack($"#{b.Id} {b.Side.ToText()} {b.Ticker}", $"#block-{b.Id}",
                    [(double)b.Filled, (double)b.Cancelled, (double)Math.Max(0, b.Unfilled - b.Cancelled)], $"{Html.Quantity(b.Filled)} of {Html.Quantity(b.Quantity)} filled · {b.Status.ToText()}"))],
                "shares", v => v.ToString("#,0.##", Html.Invariant));
            foreach (var b in blocks)
            {
                var report = BlockDesk.Report(b);
                h.Raw($"<section class=\"block\" id=\"block-{b.Id}\"><h3>").Text($"Block {b.Id}: {b.Side.ToText()} {Html.Quantity(b.Quantity)} {b.Ticker} ").Raw(StatusBadge(b.Status.ToText())).Raw("</h3>");
                h.El("p", $"Filled {Html.Quantity(report.Filled)}{(report.AveragePrice is { } avg ? $" at an average of {Html.Quantity(avg)}" : "")}, fees {Html.Money(report.Fee)}; made {Html.Instant(b.CreatedAt)} by {b.Actor}.", "lede");
                h.Raw("<div class=\"table-wrap\"><table>").Head("Account", "Proposal", "#Ordered", "#Allocated", "#Unfilled", "#Average price", "#Amount", "#Fee").Raw("<tbody>");
                foreach (var a in report.Accounts)
                    h.Raw("<tr><td>").Link(AccountHref(a.Account), a.Account).Raw("</td>").El("td", a.ProposalId.ToString(Html.Invariant), "num")
                        .El("td", Html.Quantity(a.Ordered), "num").El("td", Html.Quantity(a.Allocated), "num").El("td", Html.Quantity(a.Unfilled), "num")
                        .El("td", a.AveragePrice is { } p ? Html.Quantity(p) : "", "num").El("td", Html.Money(a.Amount), "num").El("td", Html.Money(a.Fee), "num").Raw("</tr>");
                h.Raw("</tbody></table></div></section>");
            }
        }
        var verdicts = r.Store.WindowRunAccounts(run.Id, TableLimit);
        h.El("h2", "Verdicts");
        h.Raw("<div class=\"table-wrap\"><table>").Head("Account", "Decision", "Outcome", "Reason", "Proposal").Raw("<tbody>");
        foreach (var v in verdicts)
            h.Raw("<tr><td>").Link(AccountHref(v.Account), v.Account).Raw("</td>").El("td", v.Decision).Raw("<td>").Raw(StatusBadge(v.Outcome)).Raw("</td>")
                .El("td", v.Reason).El("td", v.ProposalId?.ToString(Html.Invariant) ?? "", "num").Raw("</tr>");
        h.Raw("</tbody></table></div>");
        if (run.Accounts > verdicts.Count) h.El("p", $"The first {verdicts.Count:#,0} of {run.Accounts:#,0}; 'ballast window show {run.WindowId}' lists all.", "more");
        return StatusCodes.Status200OK;
    }

    // ---- proposals ----------------------------------------------------------------------------------------------------

    public static int Proposals(DeskRequest r, Html h)
    {
        var open = r.Store.DeskOpenProposals();
        var may = r.Session.May(Permission.Approve);
        h.El("h1", "Proposals");
        var waiting = open.Where(p => p.Status == ProposalStatus.Proposed && !p.InBlock).ToList();
        h.El("p", $"{Count(waiting.Count, "proposal awaits", "proposals await")} approval; {Count(open.Count, "proposal is", "proposals are")} open."
            + (may ? " Approved proposals join the next blocks made ('ballast window blocks', 'ballast blocks create')." : $" A {r.Session.Caller.Role} key may look but not approve."), "lede");
        if (open.Count > 0)
        {
            var statuses = new[] { ProposalStatus.Proposed, ProposalStatus.Approved, ProposalStatus.Sent, ProposalStatus.PartlyFilled };
            Stacked(h, "proposals", "Open proposals by status", [new Series("outside a block", "p-out"), new Series("in a block", "p-in")],
                [.. statuses.Select(s => new Stack(s.ToText(), null,
                    [open.Count(p => p.Status == s && !p.InBlock), open.Count(p => p.Status == s && p.InBlock)], Count(open.Count(p => p.Status == s), "proposal", "proposals")))],
                "proposals", v => v.ToString("#,0", Html.Invariant));
        }
        h.El("h2", "Awaiting approval");
        if (waiting.Count == 0) h.El("p", "None.", "empty");
        foreach (var p in waiting.Take(TableLimit))
        {
            var full = r.Store.GetProposal(p.Id);
            h.Raw($"<section class=\"proposal\" id=\"proposal-{p.Id}\"><h3>").Text($"Proposal {p.Id}: {p.Scope}").Raw("</h3>");
            h.El("p", $"Made {Html.Instant(p.CreatedAt)} by {p.Actor}; {Count(p.Orders, "order", "orders")}.", "lede");
            h.Raw("<div class=\"table-wrap\"><table>").Head("Account", "Side", "Ticker", "#Quantity", "#Price", "#Value").Raw("<tbody>");
            foreach (var o in full.Orders)
                h.Raw("<tr><td>").Link(AccountHref(o.Account), o.Account).Raw("</td>").El("td", o.Side.ToText(), o.Side.ToText())
                    .El("td", o.Ticker).El("td", Html.Quantity(o.Quantity), "num").El("td", o.Price is { } x ? Html.Quantity(x) : "", "num")
                    .El("td", o.Price is { } y ? Html.Money(y * o.Quantity) : "", "num").Raw("</tr>");
            h.Raw("</tbody></table></div>");
            if (may)
            {
                h.Raw($"<div class=\"actions\"><form method=\"post\" action=\"{P}/proposals/{p.Id}/approve\">").Raw(DeskEndpoints.CsrfInput(r.Session))
                    .Raw($"<button type=\"submit\" class=\"approve\" id=\"approve-{p.Id}\">Approve</button></form>");
                h.Raw($"<form method=\"post\" action=\"{P}/proposals/{p.Id}/reject\" class=\"reject\">").Raw(DeskEndpoints.CsrfInput(r.Session))
                    .Raw($"<label for=\"reason-{p.Id}\">Reason</label><input id=\"reason-{p.Id}\" name=\"reason\" required maxlength=\"500\">")
                    .Raw($"<button type=\"submit\" class=\"reject\" id=\"reject-{p.Id}\">Reject</button></form></div>");
            }
            h.Raw("</section>");
        }
        var rest = open.Where(p => !waiting.Contains(p)).ToList();
        h.El("h2", "Approved, sent or partly filled");
        if (rest.Count == 0) h.El("p", "None.", "empty");
        else
        {
            h.Raw("<div class=\"table-wrap\"><table>").Head("Proposal", "Status", "Scope", "Accounts", "#Orders", "#Filled", "Made").Raw("<tbody>");
            foreach (var p in rest.Take(TableLimit))
                h.Raw($"<tr id=\"proposal-{p.Id}\">").El("td", p.Id.ToString(Html.Invariant), "num").Raw("<td>").Raw(StatusBadge(p.Status.ToText() + (p.InBlock ? ", in a block" : ""))).Raw("</td>")
                    .El("td", p.Scope).El("td", string.Join(", ", p.Accounts)).El("td", p.Orders.ToString(Html.Invariant), "num")
                    .El("td", p.Ordered == 0 ? "" : Html.Percent(p.Filled / p.Ordered, 0), "num").El("td", Html.Instant(p.CreatedAt)).Raw("</tr>");
            h.Raw("</tbody></table></div>");
        }
        return StatusCodes.Status200OK;
    }

    /// <summary>Approves a proposal: the store's approval step, as <c>ballast proposals approve ID</c>.</summary>
    public static string Approve(DeskRequest r, IFormCollection form)
    {
        var id = long.Parse(r.Route("id")!, Html.Invariant);
        var note = form["note"].ToString() is { Length: > 0 } n ? n : null;
        var now = r.Store.SetProposalStatus(id, ProposalStatus.Approved, note);
        r.Session.Flash = $"Proposal {id} is {now.ToText()}: it joins the next blocks made.";
        return "/proposals";
    }

    /// <summary>Rejects a proposal with its reason, as <c>ballast proposals reject ID --reason R</c>.</summary>
    public static string Reject(DeskRequest r, IFormCollection form)
    {
        var id = long.Parse(r.Route("id")!, Html.Invariant);
        var reason = string.Join(' ', form["reason"].ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var was = r.Store.RejectProposal(id, reason);
        r.Session.Flash = $"Proposal {id} is rejected (was {was.ToText()}): {reason}";
        return "/proposals";
    }

    // ---- accounts -----------------------------------------------------------------------------------------------------

    public static int Accounts(DeskRequest r, Html h)
    {
        var accounts = r.Store.ListAccounts();
        h.El("h1", "Accounts");
        h.El("p", Count(accounts.Count, "account", "accounts") + ".", "lede");
        h.Raw("<div class=\"table-wrap\"><table>").Head("Account", "Household", "Type", "Model", "#Cash", "#Holdings", "Last rebalance").Raw("<tbody>");
        foreach (var a in accounts.Take(TableLimit * 5))
        {
            h.Raw("<tr><td>").Link(AccountHref(a.Name), a.Name).Raw("</td>").El("td", a.Household).El("td", a.Type).Raw("<td>");
            if (a.Model is { } m) h.Link(ModelHref(m), $"{m} v{a.ModelVersion}");
            h.Raw("</td>").El("td", $"{Html.Money(a.Cash)} {a.Currency}", "num").El("td", a.Holdings.ToString(Html.Invariant), "num").El("td", Html.Date(a.LastRebalance)).Raw("</tr>");
        }
        h.Raw("</tbody></table></div>");
        if (accounts.Count > TableLimit * 5) h.El("p", $"The first {TableLimit * 5:#,0}; 'ballast accounts list' lists all.", "more");
        return StatusCodes.Status200OK;
    }

    public static int Account(DeskRequest r, Html h)
    {
        var name = r.Route("name")!;
        var view = DeskViews.Account(r.Store, name, r.Today) ?? throw new InputException(new InputProblem($"no account '{name}'"));
        var a = view.Check.Stored.Account;
        var report = view.Check.Report;
        h.El("h1", a.Name);
        h.Raw("<p class=\"lede\">").Text($"{a.Type} account in {a.Currency}{(a.Household is { } hh ? ", household " + hh : "")}; ");
        if (a.Model is { } model) h.Text("model ").Link(ModelHref(model), $"{model} v{a.ModelVersion}");
        else h.Text("no model");
        h.Text($"; last rebalance {(a.LastRebalance is { } lr ? Html.Date(lr) : "never")}.").Raw("</p>");
        if (view.Check.Skip is { } skip) h.El("p", skip, "flash error");
        if (report is null) h.El("p", view.Check.Stored.Error ?? "The account cannot be checked.", "flash error");
        else
        {
            h.Raw("<p class=\"verdict\">").Raw(StatusBadge(report.NeedsRebalancing ? "outside tolerance" : report.NeedsAction ? "act" : "within"))
                .Text($" Value {Html.Money(report.TotalValue)} {a.Currency}: invested {Html.Money(report.InvestedValue)}, cash {Html.Money(report.Cash)}; largest drift {Html.Percent(report.MaxAbsoluteDrift, 2)}.").Raw("</p>");
            if (report.Reasons.Count > 0)
            {
                h.Raw("<ul class=\"reasons\">");
                foreach (var why in report.Reasons) h.El("li", why);
                h.Raw("</ul>");
            }
            if (report.Positions.Count > 0) DeskCharts.Drift(h, $"Drift of {a.Name}: each asset's weight against its target and band", report.Positions);
            h.El("h2", "Holdings");
            h.Raw("<div class=\"table-wrap\"><table>").Head("Ticker", "#Quantity", "#Value", "#Weight", "#Target", "#Drift", "Band").Raw("<tbody>");
            foreach (var p in report.Positions)
                h.Raw("<tr>").El("td", p.Ticker).El("td", p.Quantity is { } q ? Html.Quantity(q) : "", "num").El("td", Html.Money(p.Value), "num")
                    .El("td", Html.Percent(p.Weight, 2), "num").El("td", Html.Percent(p.Target, 2), "num").El("td", (p.Drift >= 0 ? "+" : "") + Html.Percent(p.Drift, 2), "num")
                    .Raw("<td>").Raw(StatusBadge(p.Status.ToString().ToLowerInvariant())).Raw("</td></tr>");
            h.Raw("</tbody></table></div>");
        }
        if (view.Restrictions.Hold is not null || view.Restrictions.Restrictions.Count > 0)
        {
            h.El("h2", "Restrictions");
            h.Raw("<ul>");
            if (view.Restrictions.Hold is { } hold) h.El("li", "hold: " + hold);
            foreach (var x in view.Restrictions.Restrictions) h.El("li", $"{x.Describe()} ({x.Owner}{(x.Reason is null ? "" : ": " + x.Reason)})");
            h.Raw("</ul>");
        }
        h.El("h2", "Lots");
        if (view.Lots.Count == 0) h.El("p", "No open lot.", "empty");
        else
        {
            h.Raw("<div class=\"table-wrap\"><table>").Head("Ticker", "Opened", "#Quantity", "#Remaining", "#Cost", "#Value", "#Unrealized gain").Raw("<tbody>");
            foreach (var l in view.Lots)
                h.Raw("<tr>").El("td", l.Lot.Ticker).El("td", Html.Date(l.Lot.OpenDate)).El("td", Html.Quantity(l.Lot.Quantity), "num").El("td", Html.Quantity(l.Lot.Remaining), "num")
                    .El("td", l.Cost is { } c ? Html.Money(c) : "", "num").El("td", l.Value is { } v ? Html.Money(v) : "", "num")
                    .El("td", l.UnrealizedGain is { } g ? (g > 0 ? "+" : "") + Html.Money(g) : "", l.UnrealizedGain < 0 ? "num loss" : "num gain").Raw("</tr>");
            h.Raw("</tbody></table></div>");
        }
        h.El("h2", "Proposals");
        if (view.Proposals.Count == 0) h.El("p", "None.", "empty");
        else
        {
            h.Raw("<div class=\"table-wrap\"><table>").Head("Proposal", "Status", "Scope", "Orders", "Made").Raw("<tbody>");
            foreach (var p in view.Proposals.Take(TableLimit))
                h.Raw("<tr>").El("td", p.Id.ToString(Html.Invariant), "num").Raw("<td>").Raw(StatusBadge(p.Status.ToText())).Raw("</td>").El("td", p.Scope)
                    .El("td", string.Join(", ", p.Orders.Where(o => o.Account == a.Name).Select(o => $"{o.Side.ToText()} {Html.Quantity(o.Quantity)} {o.Ticker}")))
                    .El("td", Html.Instant(p.CreatedAt)).Raw("</tr>");
            h.Raw("</tbody></table></div>");
        }
        h.El("h2", "History");
        if (view.History.Count == 0) h.El("p", "No transaction.", "empty");
        else
        {
            h.Raw("<div class=\"table-wrap\"><table>").Head("Date", "Kind", "Ticker", "#Quantity", "#Price", "#Cash", "#Fee", "Memo").Raw("<tbody>");
            foreach (var t in view.History.Take(TableLimit))
                h.Raw("<tr>").El("td", Html.Date(t.Date)).El("td", t.Kind.ToString().ToLowerInvariant()).El("td", t.Ticker).El("td", t.Quantity == 0 ? "" : Html.Quantity(t.Quantity), "num")
                    .El("td", t.Price is { } p ? Html.Quantity(p) : "", "num").El("td", Html.Money(t.Cash), "num").El("td", t.Fee == 0 ? "" : Html.Money(t.Fee), "num").El("td", t.Memo).Raw("</tr>");
            h.Raw("</tbody></table></div>");
            if (view.History.Count > TableLimit) h.El("p", $"The latest {TableLimit}; 'ballast ledger --account {a.Name}' lists all.", "more");
        }
        return StatusCodes.Status200OK;
    }

    // ---- models -------------------------------------------------------------------------------------------------------

    public static int Models(DeskRequest r, Html h)
    {
        var models = r.Store.ListModels();
        h.El("h1", "Models");
        if (models.Count == 0)
        {
            h.El("p", "No model yet ('ballast model set').", "empty");
            return StatusCodes.Status200OK;
        }
        h.Raw("<div class=\"table-wrap\"><table>").Head("Model", "#Version", "Latest made", "Targets", "#Accounts").Raw("<tbody>");
        foreach (var m in models)
        {
            var latest = m.Versions[^1];
            h.Raw("<tr><td>").Link(ModelHref(m.Name), m.Name).Raw("</td>").El("td", latest.Version.ToString(Html.Invariant), "num").El("td", Html.Instant(latest.CreatedAt))
                .El("td", string.Join(", ", latest.Targets.Select(t => $"{t.Key} {Html.Percent(t.Value)}"))).El("td", m.Accounts.Count.ToString("#,0", Html.Invariant), "num").Raw("</tr>");
        }
        h.Raw("</tbody></table></div>");
        return StatusCodes.Status200OK;
    }

    public static int Model(DeskRequest r, Html h)
    {
        var name = r.Route("name")!;
        var view = DeskViews.Model(r.Store, name, r.Today) ?? throw new InputException(new InputProblem($"no model '{name}'"));
        var m = view.Model;
        h.El("h1", $"Model {m.Name}");
        h.El("p", $"{Count(m.Versions.Count, "version", "versions")}, {Count(m.Accounts.Count, "account", "accounts")} on it.", "lede");
        var tickers = m.Versions.SelectMany(v => v.Targets.Keys).Distinct().OrderBy(t => t, StringComparer.Ordinal).ToList();
        Stacked(h, "versions", "Target weights of each version", [.. tickers.Select((t, i) => new Series(t, Palette[i % Palette.Length]))],
            [.. m.Versions.AsEnumerable().Reverse().Take(12).Select(v => new Stack($"v{v.Version} {v.CreatedAt:yyyy-MM-dd}", null,
                [.. tickers.Select(t => (double)v.Targets.GetValueOrDefault(t))], v.Version == m.Versions[^1].Version ? "latest" : ""))],
            "weight", v => Html.Percent((decimal)v, 0));
        h.El("h2", "Versions");
        h.Raw("<div class=\"table-wrap\"><table>").Head("#Version", "Made", "By", "Targets", "Policy").Raw("<tbody>");
        foreach (var v in m.Versions.AsEnumerable().Reverse())
            h.Raw("<tr>").El("td", v.Version.ToString(Html.Invariant), "num").El("td", Html.Instant(v.CreatedAt)).El("td", v.Actor)
                .El("td", string.Join(", ", v.Targets.Select(t => $"{t.Key} {Html.Percent(t.Value)}"))).El("td", v.HasPolicy ? "its own" : "default").Raw("</tr>");
        h.Raw("</tbody></table></div>");
        h.El("h2", "Accounts on it");
        var hasPrevious = m.Versions.Count > 1;
        var after = view.Accounts.Count(x => x.BreachesAfterChange);
        h.El("p", hasPrevious
            ? $"Checked against version {m.Versions[^1].Version}: {view.Accounts.Count(x => x.Check.Report?.NeedsRebalancing == true)} outside their bands, {after} of them because of the change from version {m.Versions[^2].Version}."
            : $"Checked against version {m.Versions[^1].Version}: {view.Accounts.Count(x => x.Check.Report?.NeedsRebalancing == true)} outside their bands.", "lede");
        var checkedAccounts = view.Accounts.Where(x => x.Check.Report is not null).Take(40).ToList();
        if (checkedAccounts.Count > 0)
            Stacked(h, "model-accounts", "Largest drift of each account", [new Series("within its bands", "weight"), new Series("outside", "weight-out"), new Series("outside since the change", "k-delivery")],
                [.. checkedAccounts.Select(x =>
                {
                    var d = (double)x.Check.Report!.MaxAbsoluteDrift;
                    var slot = x.BreachesAfterChange ? 2 : x.Check.Report.NeedsRebalancing ? 1 : 0;
                    return new Stack(x.Check.Stored.Account.Name, AccountHref(x.Check.Stored.Account.Name), [slot == 0 ? d : 0, slot == 1 ? d : 0, slot == 2 ? d : 0], Html.Percent((decimal)d, 2));
                })], "largest drift from target", v => Html.Percent((decimal)v, 0));
        h.Raw("<div class=\"table-wrap\"><table>").Head("Account", "Now", "#Largest drift", hasPrevious ? $"Under v{m.Versions[^2].Version}" : "Before", "").Raw("<tbody>");
        foreach (var x in view.Accounts.Take(TableLimit))
        {
            var rep = x.Check.Report;
            h.Raw("<tr><td>").Link(AccountHref(x.Check.Stored.Account.Name), x.Check.Stored.Account.Name).Raw("</td><td>")
                .Raw(StatusBadge(rep is null ? "cannot check" : rep.NeedsRebalancing ? "outside tolerance" : "within")).Raw("</td>")
                .El("td", rep is null ? "" : Html.Percent(rep.MaxAbsoluteDrift, 2), "num")
                .El("td", x.BreachedBefore is null ? "" : x.BreachedBefore.Value ? "outside" : "within")
                .Raw("<td>").Raw(x.BreachesAfterChange ? StatusBadge("breaches after the change") : "").Raw("</td></tr>");
        }
        h.Raw("</tbody></table></div>");
        return StatusCodes.Status200OK;
    }
}
