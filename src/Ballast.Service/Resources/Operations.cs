using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Operations.Monitoring;
using Ballast.Operations.Windows;
using Ballast.Store;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Ballast.Service.Resources.Resource;

namespace Ballast.Service.Resources;

/// <summary>Monitoring schedules (stored as data): the stored texts and the effective schedule of the firm, a model or an account.</summary>
internal static class Schedules
{
    public static string KindWord(ScheduleKind kind) => kind switch
    {
        ScheduleKind.Model => "model",
        ScheduleKind.Account => "account",
        _ => "firm",
    };

    public static Answer List(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "schedules");
        if (problem is not null) return problem;
        // A tenant has a handful of schedules: read whole, ordered by kind and name, paged by position.
        var all = BallastService.TenantStore(context).Schedules();
        var items = all.Skip((int)Math.Min(after, int.MaxValue)).Take(limit + 1).Select((s, i) => (Position: after + i + 1, Schedule: s)).ToList();
        var page = items.Count > limit ? new Page<(long Position, StoredSchedule Schedule)>(items[..limit], items[limit - 1].Position) : new Page<(long, StoredSchedule)>(items, null);
        return Page("schedules", page, (w, x) => ResourceJson.Schedule(w, x.Item2));
    }

    public static Answer Firm(HttpContext context)
    {
        var store = BallastService.TenantStore(context);
        return Answer(store, ScheduleKind.Firm, null, StoredSchedules.Load(store).Firm);
    }

    public static Answer Get(HttpContext context, string kind, string name)
    {
        var store = BallastService.TenantStore(context);
        switch (kind)
        {
            case "models":
                return store.FindModel(name) is null
                    ? Problems.NotFoundAnswer(context, "name", $"no model named '{name}'")
                    : Answer(store, ScheduleKind.Model, name, StoredSchedules.Load(store).For(name));
            case "accounts":
                return store.FindAccount(name) is not { } a
                    ? Problems.NotFoundAnswer(context, "name", $"no account named '{name}'")
                    : Answer(store, ScheduleKind.Account, name, StoredSchedules.Load(store).For(a.Model, name));
            default:
                return Problems.NotFoundAnswer(context, "kind", $"'{kind}' is not a kind of schedule: models or accounts (the firm's is /v1/schedules/firm)");
        }
    }

    /// <summary>The effective schedule and the stored texts that make it (the firm's, the model's, the account's).</summary>
    private static Answer Answer(BallastStore store, ScheduleKind kind, string? name, MonitoringSchedule effective)
    {
        var stored = store.Schedules();
        var model = kind == ScheduleKind.Account ? store.FindAccount(name!)?.Model : kind == ScheduleKind.Model ? name : null;
        return Ok(w =>
        {
            w.WriteString("kind", KindWord(kind));
            Text(w, "name", name);
            w.WriteString("effective", effective.ToString());
            w.WriteStartArray("stored");
            foreach (var s in stored.Where(s => s.Kind == ScheduleKind.Firm || (s.Kind == ScheduleKind.Model && s.Name == model) || (s.Kind == kind && s.Name == name)))
                ResourceJson.Schedule(w, s);
            w.WriteEndArray();
        });
    }
}

/// <summary>Window runs: list, one with its counts, its per-account verdicts, and running a window through <see cref="WindowRunner"/>.</summary>
internal static class Windows
{
    private static readonly string EngineVersion =
        typeof(Ballast.Planning.Planner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static Answer List(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "window-runs");
        return problem ?? Page("window-runs", BallastService.TenantStore(context).WindowRunPage(after, limit), ResourceJson.WindowRun);
    }

    /// <summary>A run by its id or its window id (<c>2026-03-02T10:00</c>).</summary>
    private static WindowRunInfo? Find(BallastStore store, string id) =>
        Catalog.Id(id) is { } n ? store.FindWindowRunById(n) : id.Contains('T', StringComparison.Ordinal) ? store.FindWindowRun(id) : null;

    public static Answer Get(HttpContext context, string id)
    {
        var store = BallastService.TenantStore(context);
        if (Find(store, id) is not { } run) return Problems.NotFoundAnswer(context, "id", $"no window run '{id}'");
        var counts = store.WindowRunCounts(run.Id);
        return Ok(w =>
        {
            ResourceJson.WindowRunFields(w, run);
            ResourceJson.Counts(w, counts);
        });
    }

    public static Answer Verdicts(HttpContext context, string id)
    {
        var store = BallastService.TenantStore(context);
        if (Find(store, id) is not { } run) return Problems.NotFoundAnswer(context, "id", $"no window run '{id}'");
        var (after, limit, problem) = Paging(context, "verdicts");
        return problem ?? Page("verdicts", store.WindowVerdictPage(run.Id, after, limit), ResourceJson.Verdict, w =>
        {
            w.WriteNumber("run", run.Id);
            w.WriteString("window", run.WindowId);
        });
    }

    private static readonly string[] RunFields = ["calendar", "at"];

    /// <summary>
    /// Runs the window, as <c>ballast window run</c> does (the same <see cref="WindowRunner"/>), stopping between batches when the service
    /// stops: the run is then recorded failed and resumes when posted again (503 for this request).
    /// </summary>
    public static Task<IResult> Run(HttpContext context) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, RunFields, out var bad) is not { } body) return bad!;
        var at = body.String("at");
        var calendarElement = body.Element("calendar");
        if (calendarElement is null) body.Problems.Add(new InputProblem("missing: the trading calendar document (timeZone, windows, cutOff, settlement, holidays)", "body", Field: "calendar"));
        else if (calendarElement.Value.ValueKind != JsonValueKind.Object) body.Problems.Add(new InputProblem("must be an object: the trading calendar document", "body", Field: "calendar"));
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        return Step(context, () =>
        {
            TradingCalendar calendar;
            try
            {
                calendar = TradingCalendarReader.Read("calendar", calendarElement!.Value.GetRawText(), _ =>
                    throw new InputException(new InputProblem("the service reads no files: give the dates in 'holidays'", "body", Field: "holidaysFile")));
            }
            catch (InputException e)
            {
                throw new InputException([.. e.Problems.Select(p => p with { File = "body", Field = "calendar" + (string.IsNullOrEmpty(p.Field) ? "" : "." + p.Field) })]);
            }
            var instant = WindowTimes.Parse(at, calendar, store.Options.Time.GetUtcNow(), "at");
            var window = WindowRunner.WindowAt(calendar, instant);
            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            WindowRunResult result;
            try
            {
                result = new WindowRunner(store, EngineVersion).Run(calendar, window, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                context.Response.Headers.RetryAfter = "5";
                return Problems.Answer(StatusCodes.Status503ServiceUnavailable, Problems.StoreBusy, "The service is stopping",
                    $"the run of window {window.Id} stopped between batches; what was recorded stays, and posting the window again resumes it", context);
            }
            return Json(result.AlreadyDone ? StatusCodes.Status200OK : StatusCodes.Status201Created, w =>
            {
                ResourceJson.WindowRunFields(w, result.Run);
                w.WriteBoolean("alreadyRun", result.AlreadyDone);
                w.WriteBoolean("resumed", result.Resumed);
                ResourceJson.Counts(w, result.Counts);
                w.WriteNumber("proposals", result.Proposals.Count);
            });
        }, ("--at", "at"));
    });
}

/// <summary>Proposals: list (by status), one with its orders and documents, and the desk's steps (approve, reject, cancel).</summary>
internal static class Proposals
{
    public static Answer List(HttpContext context)
    {
        ProposalStatus? status = null;
        if (context.Request.Query.TryGetValue("status", out var statuses))
        {
            if (statuses.Count != 1 || ProposalStatuses.Parse(statuses[0] ?? "") is not { } s)
                return Problems.InvalidQueryAnswer(context, "status", $"'{statuses}' is not a status: proposed, approved, sent, partly-filled, filled, cancelled, expired or rejected");
            status = s;
        }
        var (after, limit, problem) = Paging(context, "proposals");
        return problem ?? Page("proposals", BallastService.TenantStore(context).ProposalPage(status, after, limit), (w, p) => ResourceJson.Proposal(w, p));
    }

    public static Answer Get(HttpContext context, string id)
    {
        var store = BallastService.TenantStore(context);
        if (Catalog.Id(id) is not { } n || store.FindProposal(n) is not { } p) return Problems.NotFoundAnswer(context, "id", $"no proposal {id}");
        var rejection = p.Status == ProposalStatus.Rejected ? store.Rejection(p.Id) : null;
        return Ok(w => Catalog.Unwrapped(w, x => ResourceJson.Proposal(x, p, detail: true, rejection)));
    }

    private static readonly string[] NoteFields = ["note"];
    private static readonly string[] ReasonFields = ["reason"];

    public static Task<IResult> Approve(HttpContext context, string id) => Step(context, id, ProposalStatus.Approved);

    public static Task<IResult> Cancel(HttpContext context, string id) => Step(context, id, ProposalStatus.Cancelled);

    private static Task<IResult> Step(HttpContext context, string id, ProposalStatus to) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, NoteFields, out var bad) is not { } body) return bad!;
        var note = body.String("note", max: 1000);
        if (body.Problem(context) is { } problem) return problem;
        return Change(context, id, store => store.SetProposalStatus(Catalog.Id(id)!.Value, to, note));
    }, emptyBodyAllowed: true);

    public static Task<IResult> Reject(HttpContext context, string id) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, ReasonFields, out var bad) is not { } body) return bad!;
        var reason = body.String("reason", required: true, max: 1000);
        if (body.Problem(context) is { } problem) return problem;
        return Change(context, id, store => store.RejectProposal(Catalog.Id(id)!.Value, reason!));
    });

    /// <summary>A step on a proposal of the tenant (404 otherwise); a step its status does not allow is a 409, and the answer is the proposal after it.</summary>
    private static Answer Change(HttpContext context, string id, Action<BallastStore> step)
    {
        var store = BallastService.TenantStore(context);
        if (Catalog.Id(id) is not { } n || store.FindProposal(n) is null) return Problems.NotFoundAnswer(context, "id", $"no proposal {id}");
        try
        {
            step(store);
        }
        catch (InputException e) when (e.Problems.Any(p => p.Field == "PROPOSAL"))
        {
            return Problems.ConflictAnswer(context, "id", e.Problems[0].Message);
        }
        catch (InputException e)
        {
            return Problems.InvalidRequest(context, [.. e.Problems.Select(p => Rename(p, [("--reason", "reason"), ("--note", "note")]))]);
        }
        var after = store.FindProposal(n)!;
        var rejection = after.Status == ProposalStatus.Rejected ? store.Rejection(n) : null;
        return Ok(w => Catalog.Unwrapped(w, x => ResourceJson.Proposal(x, after, detail: false, rejection)));
    }
}

/// <summary>Block orders (list, one with lines, fills and allocations, gathering a window's or some proposals' orders) and fills.</summary>
internal static class Desk
{
    public static Answer List(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "blocks");
        return problem ?? Page("blocks", BallastService.TenantStore(context).BlockPage(after, limit), (w, b) => ResourceJson.Block(w, b));
    }

    public static Answer Get(HttpContext context, string id) =>
        Catalog.Id(id) is { } n && BallastService.TenantStore(context).FindBlock(n) is { } b
            ? Ok(w => Catalog.Unwrapped(w, x => ResourceJson.Block(x, b, detail: true)))
            : Problems.NotFoundAnswer(context, "id", $"no block {id}");

    private static readonly string[] CreateFields = ["window", "proposals"];

    /// <summary>Gathers blocks through <see cref="BlockDesk"/>, as <c>ballast window blocks</c> and <c>ballast blocks create --proposals</c> do.</summary>
    public static Task<IResult> Create(HttpContext context) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, CreateFields, out var bad) is not { } body) return bad!;
        var window = body.String("window");
        var proposals = body.Ids("proposals");
        if ((window is null) == (proposals is null))
            body.Problems.Add(new InputProblem("give 'window' (a window run's proposals) or 'proposals' (their ids), one of them", "body", Field: "window"));
        else if (proposals is { Count: 0 }) body.Problems.Add(new InputProblem("name at least one proposal", "body", Field: "proposals"));
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        if (window is not null && store.FindWindowRun(window) is null) return Problems.NotFoundAnswer(context, "window", $"no run of window '{window}'");
        if (proposals is not null)
            for (var i = 0; i < proposals.Count; i++)
                if (store.FindProposal(proposals[i]) is null) return Problems.NotFoundAnswer(context, $"proposals[{i}]", $"no proposal {proposals[i]}");
        return Resource.Step(context, () =>
        {
            var desk = new BlockDesk(store);
            var made = window is not null ? desk.CreateForWindow(window).Blocks : desk.Create(proposals);
            return Created(w =>
            {
                w.WriteStartArray("data");
                foreach (var b in made) ResourceJson.Block(w, b, detail: true);
                w.WriteEndArray();
                w.WriteNull("next");
            });
        }, ("--proposals", "proposals"), ("WINDOW", "window"));
    });

    private static readonly string[] BatchFields = ["fills", "allowOverfill"];
    private static readonly string[] FillFields = ["executionId", "account", "date", "ticker", "side", "quantity", "price", "fee", "proposal"];
    private static readonly string[] CsvColumns = ["execution_id", "account", "date", "ticker", "side", "quantity", "price", "fee", "proposal"];

    /// <summary>
    /// Records fills with the command line's fills import (<see cref="BallastStore.ImportFills"/>: the same checks, one transaction, duplicates by
    /// execution id counted and skipped): the body's fills are written as that import's CSV and imported; a problem on the file's line N names
    /// <c>fills[N-2].field</c> (or the field of a single fill).
    /// </summary>
    public static Task<IResult> Fills(HttpContext context) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, [.. BatchFields, .. FillFields], out var bad) is not { } body) return bad!;
        var batch = body.Has("fills");
        var allowOverfill = body.Boolean("allowOverfill") ?? false;
        var fills = new List<JsonElement>();
        if (batch)
        {
            foreach (var f in FillFields)
                if (body.Has(f)) body.Problems.Add(new InputProblem("a batch gives its fills in 'fills' only", "body", Field: f));
            var array = body.Element("fills")!.Value;
            if (array.ValueKind != JsonValueKind.Array) body.Problems.Add(new InputProblem("must be an array of fills", "body", Field: "fills"));
            else fills.AddRange(array.EnumerateArray());
            if (fills.Count == 0 && array.ValueKind == JsonValueKind.Array) body.Problems.Add(new InputProblem("give at least one fill", "body", Field: "fills"));
        }
        else
        {
            using var one = JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
            var single = one.RootElement.Clone();
            fills.Add(single);
        }
        var csv = new StringBuilder(string.Join(',', CsvColumns)).Append('\n');
        for (var i = 0; i < fills.Count; i++)
        {
            var prefix = batch ? $"fills[{i}]." : "";
            var f = fills[i];
            if (f.ValueKind != JsonValueKind.Object)
            {
                body.Problems.Add(new InputProblem("must be a fill object", "body", Field: $"fills[{i}]"));
                continue;
            }
            var cells = new string[FillFields.Length];
            foreach (var p in f.EnumerateObject())
            {
                var at = Array.IndexOf(FillFields, p.Name);
                if (at < 0)
                {
                    if (batch) body.Problems.Add(new InputProblem($"unknown field; expected one of: {string.Join(", ", FillFields)}", "body", Field: prefix + p.Name));
                    continue;
                }
                var numeric = p.Name is "quantity" or "price" or "fee" or "proposal";
                if (numeric && p.Value.ValueKind != JsonValueKind.Number || !numeric && p.Value.ValueKind != JsonValueKind.String)
                    body.Problems.Add(new InputProblem($"must be {(numeric ? "a number" : "a string")}", "body", Field: prefix + p.Name));
                else cells[at] = Csv(numeric ? p.Value.GetRawText() : p.Value.GetString()!);
            }
            csv.Append(string.Join(',', cells.Select(c => c ?? ""))).Append('\n');
        }
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        var path = Path.Combine(Path.GetTempPath(), $"ballast-fills-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, csv.ToString(), new UTF8Encoding(false));
            ImportResult result;
            try
            {
                result = store.ImportFills(path, "body", allowOverfill);
            }
            catch (InputException e)
            {
                return Problems.InvalidRequest(context, [.. e.Problems.Select(p => p with
                {
                    File = "body",
                    Line = null,
                    Column = null,
                    Field = (batch && p.Line is { } line ? $"fills[{line - 2}]." : "") + Camel(p.Field),
                })]);
            }
            return Created(w =>
            {
                w.WriteNumber("rows", result.RowsRead);
                w.WriteNumber("recorded", result.Added);
                w.WriteNumber("duplicates", result.Skipped);
                w.WriteString("summary", result.Summary);
            });
        }
        finally
        {
            File.Delete(path);
        }
    });

    private static string Camel(string? csvField) => csvField switch
    {
        null or "" => "",
        "execution_id" => "executionId",
        _ => csvField,
    };

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
