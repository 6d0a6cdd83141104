using System.CommandLine;
using System.Globalization;
using Ballast.Input;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Store;

/// <summary>
/// Store commands: init, verify, audit, history, export, deposit, withdraw; and the shared <c>--db</c> and
/// <c>--actor</c> options. <see cref="AddTo"/> registers these and the import, prices, orders, fills and model groups.
/// </summary>
public static class StoreCommands
{
    /// <summary><c>--db PATH|CONNECTION|postgres://URL</c>; default <c>BALLAST_DB</c>, then <c>ballast.db</c>.</summary>
    public static Option<string?> Db { get; } = new("--db")
    {
        Description = "Store: an SQLite file, a PostgreSQL connection string or a postgres://user:pass@host:port/db URL (default: $BALLAST_DB, else ballast.db)",
        Recursive = true,
    };

    /// <summary><c>--actor NAME</c> recorded in the audit trail; default the OS user.</summary>
    public static Option<string?> Actor { get; } = new("--actor") { Description = "Who is writing, for the audit trail (default: the OS user)", Recursive = true };

    /// <summary>The environment variable naming the tenant the command line acts for when <c>--tenant</c> is not given.</summary>
    public const string TenantVariable = "BALLAST_TENANT";

    /// <summary><c>--tenant NAME</c>: the tenant (firm) whose book a command reads and writes; default <c>BALLAST_TENANT</c>, then the <c>default</c> tenant.</summary>
    public static Option<string?> Tenant { get; } = new("--tenant")
    {
        Description = $"The tenant (firm) whose book to read and write (default: ${TenantVariable}, else the '{BallastStore.DefaultTenantName}' tenant)",
        Recursive = true,
    };

    /// <summary>Adds every store command group to <paramref name="root"/>.</summary>
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        root.Subcommands.Add(Init(ctx));
        root.Subcommands.Add(Verify(ctx));
        root.Subcommands.Add(Audit(ctx));
        root.Subcommands.Add(History(ctx));
        root.Subcommands.Add(Export(ctx));
        root.Subcommands.Add(Restore(ctx));
        root.Subcommands.Add(CashCommand(ctx, "deposit", "Record a deposit into an account"));
        root.Subcommands.Add(CashCommand(ctx, "withdraw", "Record a withdrawal from an account"));
        ImportCommands.AddTo(root, ctx);
        TradeCommands.AddTo(root, ctx);
        ModelCommands.AddTo(root, ctx);
        ListCommands.AddTo(root, ctx);
    }

    /// <summary>The commands that read or write the store; groups (import, prices, fx, orders, fills, model) pass the options to their subcommands.</summary>
    private static readonly string[] StoreUsers = ["check", "plan", "lots", "tax", "harvest", "init", "verify", "audit", "history", "export", "restore", "deposit", "withdraw", "import", "prices", "fx", "orders", "fills", "model", .. ListCommands.Groups, .. Operations.WindowCommands.Groups, .. Operations.EventCommands.Groups, .. Service.ServiceCommands.Groups];

    /// <summary>The store commands that act on the whole store, not on one tenant's book: no <c>--tenant</c> (the service's keys name their tenant themselves).</summary>
    private static readonly string[] StoreWide = ["init", "verify", "restore", .. Service.ServiceCommands.Groups];

    /// <summary>
    /// Gives <c>--db</c> and <c>--actor</c> to the commands that use the store, and to no other (the backtest commands read files);
    /// and <c>--tenant</c> to those that act on a tenant's book.
    /// </summary>
    public static void AddStoreOptions(RootCommand root)
    {
        foreach (var command in root.Subcommands.Where(c => StoreUsers.Contains(c.Name, StringComparer.Ordinal)))
        {
            command.Options.Add(Db);
            command.Options.Add(Actor);
            if (!StoreWide.Contains(command.Name, StringComparer.Ordinal)) command.Options.Add(Tenant);
        }
    }

    /// <summary>
    /// The store named by <c>--db</c>/<c>BALLAST_DB</c>, opened and version-checked, writing as <c>--actor</c>, as the tenant named by
    /// <c>--tenant</c>/<c>BALLAST_TENANT</c> sees it (the <c>default</c> tenant when neither is given).
    /// </summary>
    /// <exception cref="InputException">No tenant has the name given (field <c>--tenant</c>, exit 2).</exception>
    public static BallastStore Open(ParseResult parse, CliContext ctx)
    {
        var store = OpenStoreWide(parse, ctx);
        var name = parse.GetValue(Tenant) ?? ctx.Environment(TenantVariable);
        return string.IsNullOrWhiteSpace(name) ? store : store.ForTenant(name.Trim(), parse.GetValue(Tenant) is null ? TenantVariable : "--tenant");
    }

    /// <summary>The store, opened for a command on the whole store (init, verify, the service's keys): no tenant is chosen.</summary>
    public static BallastStore OpenStoreWide(ParseResult parse, CliContext ctx) =>
        BallastStore.Open(Location(parse, ctx), Options(parse, ctx));

    internal static StoreLocation Location(ParseResult parse, CliContext ctx) =>
        StoreLocation.Resolve(parse.GetValue(Db), ctx.Environment, ctx.WorkingDirectory);

    internal static StoreOptions Options(ParseResult parse, CliContext ctx) => new()
    {
        Actor = parse.GetValue(Actor) ?? ctx.Environment("USER") ?? Environment.UserName,
        Time = ctx.Time,
        Steps = _steps.Value,
    };

    /// <summary>The progress bar's update while <see cref="WithProgress{T}"/> runs; stores opened meanwhile report to it.</summary>
    private static readonly AsyncLocal<Action<string, long, long>?> _steps = new();

    /// <summary>
    /// Runs a long store command under a progress bar when both standard output and standard error are a terminal; the stores it
    /// opens report their progress (bytes of a file read, accounts of a window done) to the bar. Redirected or piped, nothing is
    /// drawn: the output is the same as without the bar.
    /// </summary>
    internal static T WithProgress<T>(CliContext ctx, string label, Func<T> work)
    {
        if (!ctx.Interactive || Console.IsErrorRedirected) return work();
        T result = default!;
        ctx.Console.Progress().AutoClear(true).HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(p =>
            {
                var task = p.AddTask(label, maxValue: 1);
                task.IsIndeterminate = true;
                _steps.Value = (what, done, total) =>
                {
                    if (total <= 0) return;
                    task.IsIndeterminate = false;
                    task.MaxValue = total;
                    task.Value = Math.Min(done, total);
                };
                try { result = work(); }
                finally { _steps.Value = null; }
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>
    /// Runs a store action: a busy or unreachable store is exit 3; a schema mismatch or a store that cannot be opened
    /// (credentials, missing database, not a database, read-only) exit 2; each one line. Input problems propagate to the host.
    /// </summary>
    internal static int Run(CliContext ctx, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (StoreBusyException e)
        {
            ctx.Error.WriteLine($"ballast: error: {Flags.OneLine(e.Message)}");
            return ExitCodes.Retryable;
        }
        catch (StoreUnavailableException e)
        {
            ctx.Error.WriteLine($"ballast: error: {Flags.OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (StoreVersionException e)
        {
            ctx.Error.WriteLine($"ballast: error: {Flags.OneLine(e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == SqliteCannotOpen)
        {
            // The store does not map this one: a path SQLite cannot open or create is a wrong --db, not an internal error.
            ctx.Error.WriteLine($"ballast: error: --db: SQLite cannot open or create the store there ({Flags.OneLine(e.Message)})");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>SQLITE_CANTOPEN: the database file cannot be opened or created.</summary>
    private const int SqliteCannotOpen = 14;

    internal static DateOnly Today(CliContext ctx) => DateOnly.FromDateTime(ctx.Time.GetUtcNow().UtcDateTime);

    internal static DateOnly ParseDate(string? text, string field, CliContext ctx)
    {
        if (text is null) return Today(ctx);
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new InputException(new InputProblem($"'{text}' is not a date (yyyy-MM-dd)", Field: field));
    }

    private static Command Init(CliContext ctx)
    {
        var cmd = new Command("init", "Create the store or migrate it to this version's schema");
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var location = Location(parse, ctx);
            if (location.SqlitePath is { } file && !File.Exists(file))
            {
                var shown = parse.GetValue(Db) ?? file;
                if (Directory.Exists(file)) throw new InputException(new InputProblem($"{shown} is a folder; give the store's file name", Field: "--db"));
                if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder && !Directory.Exists(folder))
                    throw new InputException(new InputProblem($"cannot create the store {shown}: the folder {folder} does not exist", Field: "--db"));
            }
            var store = BallastStore.Initialize(location, Options(parse, ctx));
            ctx.Out.WriteLine($"store {store.Location} is at schema version {store.SchemaVersion}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Verify(CliContext ctx)
    {
        var rebuild = new Option<bool>("--rebuild") { Description = "Rebuild holdings, cash and lots from the ledger when they differ" };
        var cmd = new Command("verify", "Check holdings, cash and lots against a replay of the ledger, and the hash chains of the ledger and the audit trail (exit 1 when anything differs)");
        cmd.Options.Add(rebuild);
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var store = OpenStoreWide(parse, ctx);
            var report = store.Verify();
            if (!report.Ok && parse.GetValue(rebuild))
            {
                try
                {
                    report = store.RebuildProjections();
                }
                catch (StoreIntegrityException e)
                {
                    foreach (var d in report.Differences) ctx.Error.WriteLine(d);
                    ctx.Error.WriteLine($"ballast: error: {Flags.OneLine(e.Message)}");
                    return ExitCodes.RebalanceNeeded;
                }
            }
            return Report(ctx, report, store);
        }));
        return cmd;
    }

    /// <summary>Prints a verify report, the hash chains' heads and the store; exit 1 when anything differs.</summary>
    private static int Report(CliContext ctx, Ballast.Store.Ledger.VerifyReport report, BallastStore store)
    {
        foreach (var d in report.Differences) ctx.Error.WriteLine(d);
        ctx.Out.WriteLine(report.Ok
            ? $"ok: {report.Transactions} transactions, {report.Accounts} accounts agree with the projections; the hash chains are intact"
            : $"{report.Differences.Count} differences between the ledger, its hash chains and the projections; 'ballast verify --rebuild' rebuilds projections from an intact ledger");
        foreach (var head in store.ChainHeads())
            ctx.Out.WriteLine($"chain {head.Table}: {head.Rows} rows, newest {(head.LastId is { } id ? $"#{id} {head.Hash ?? "(no hash)"}" : "none")}");
        ctx.Out.WriteLine($"store: {store.Location} on {store.DatabaseVersion}");
        return report.Ok ? ExitCodes.Ok : ExitCodes.RebalanceNeeded;
    }

    private static Command Audit(CliContext ctx)
    {
        var limit = Flags.Int("--limit", "Newest entries to show (default 50)", 1, 1_000_000, 50);
        var cmd = new Command("audit", "List writes to the store: time, actor, action, summary");
        cmd.Options.Add(limit);
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var table = new Table().AddColumns("time (UTC)", "actor", "action", "summary");
            foreach (var a in Open(parse, ctx).Audit(parse.GetValue(limit)))
                table.AddRow(Markup.Escape(a.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)), Markup.Escape(a.Actor), Markup.Escape(a.Action), Markup.Escape(a.Summary));
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    internal static Option<string> AccountOption(bool required) => new("--account") { Description = "Account name", Required = required };

    private static Command History(CliContext ctx)
    {
        var account = AccountOption(required: true);
        var cmd = new Command("history", "List an account's transactions and proposals");
        cmd.Options.Add(account);
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var table = new Table().AddColumns("date", "kind", "id", "description");
            foreach (var h in Open(parse, ctx).History(parse.GetValue(account)!))
                table.AddRow(h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), h.Kind, h.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(h.Description));
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Export(CliContext ctx)
    {
        var file = new Argument<string>("PATH")
        {
            Description = "The export file (JSON lines). With --portfolios or --account: a portfolio file (.yaml, .yml or .json), or a folder when PATH ends in '/'",
        };
        var portfolios = new Option<bool>("--portfolios") { Description = "Write portfolio files (the format check and plan read) instead of the whole store" };
        var account = AccountOption(required: false);
        var asOf = new Option<string?>("--as-of") { Description = "Price date of portfolio files (yyyy-MM-dd, default today)" };
        var json = new Option<bool>("--json") { Description = "Portfolio files in JSON instead of YAML (for a folder)" };
        var cmd = new Command("export", "Write the whole store to one file that 'ballast restore' reads (SQLite or PostgreSQL); with --portfolios, accounts as portfolio files");
        cmd.Arguments.Add(file);
        cmd.Options.Add(portfolios);
        cmd.Options.Add(account);
        cmd.Options.Add(asOf);
        cmd.Options.Add(json);
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var shown = parse.GetValue(file)!;
            var path = ctx.ResolvePath(shown);
            if (parse.GetValue(portfolios) || parse.GetValue(account) is not null)
                return PortfolioExport.Run(ctx, parse, shown, path, parse.GetValue(account), parse.GetValue(asOf), parse.GetValue(json));
            if (parse.GetValue(asOf) is not null) throw new InputException(new InputProblem("--as-of applies to portfolio files: add --portfolios", Field: "--as-of"));
            if (parse.GetValue(json)) throw new InputException(new InputProblem("--json applies to portfolio files (the store export is JSON lines already): add --portfolios", Field: "--json"));
            if (PortfolioExport.IsFolder(shown, path))
                throw new InputException(new InputProblem($"{shown} is a folder; the store export is one file (portfolio files per account: --portfolios {shown})", Field: "PATH"));
            var extension = Path.GetExtension(path);
            if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
                throw new InputException(new InputProblem($"{shown}: the store export is JSON lines, not YAML (name it .jsonl); for a portfolio file add --portfolios and --account", Field: "PATH"));
            if (Flags.CheckWritable(path, shown, "PATH") is { } problem) throw new InputException(problem);
            var store = OpenStoreWide(parse, ctx);
            var temp = path + ".tmp";
            (int Tables, long Rows) written;
            try
            {
                using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    written = store.ExportStore(output);
                    output.Flush(flushToDisk: true);
                }
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new InputException(new InputProblem($"cannot write {shown}: {Flags.OneLine(e.Message)}", Field: "PATH"));
            }
            finally
            {
                if (File.Exists(temp)) try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            ctx.Out.WriteLine($"wrote {written.Rows} rows of {written.Tables} tables of {store.Location} to {shown}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Restore(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "A file written by 'ballast export'" };
        var cmd = new Command("restore", "Read a store export into a new, empty store (--db: a new SQLite file or an empty PostgreSQL database), then verify it");
        cmd.Arguments.Add(file);
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var shown = parse.GetValue(file)!;
            var location = Location(parse, ctx);
            if (location.SqlitePath is { } db && !File.Exists(db) && Path.GetDirectoryName(Path.GetFullPath(db)) is { } folder && !Directory.Exists(folder))
                throw new InputException(new InputProblem($"cannot create the store {parse.GetValue(Db) ?? db}: the folder {folder} does not exist", Field: "--db"));
            var result = BallastStore.Restore(location, Options(parse, ctx), ctx.ResolvePath(shown), shown);
            ctx.Out.WriteLine($"restored {result.Rows} rows of {result.Tables} tables from {shown} into {location}");
            return Report(ctx, result.Verify, BallastStore.Open(location, Options(parse, ctx)));
        }));
        return cmd;
    }

    private static Command CashCommand(CliContext ctx, string name, string description)
    {
        var amount = Flags.PositiveAmount("AMOUNT", "Amount in the account currency, positive");
        var account = AccountOption(required: true);
        var date = new Option<string?>("--date") { Description = "Date (yyyy-MM-dd, default today)" };
        var key = new Option<string?>("--key") { Description = "Idempotency key: the same key is recorded once" };
        var cmd = new Command(name, description);
        cmd.Arguments.Add(amount);
        cmd.Options.Add(account);
        cmd.Options.Add(date);
        cmd.Options.Add(key);
        cmd.SetAction(parse => Run(ctx, () =>
        {
            var store = Open(parse, ctx);
            var d = ParseDate(parse.GetValue(date), "--date", ctx);
            var id = name == "deposit"
                ? store.Deposit(parse.GetValue(account)!, parse.GetValue(amount), d, parse.GetValue(key))
                : store.Withdraw(parse.GetValue(account)!, parse.GetValue(amount), d, parse.GetValue(key));
            ctx.Out.WriteLine($"transaction {id}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
