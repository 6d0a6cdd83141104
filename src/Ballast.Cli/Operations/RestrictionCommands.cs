using System.CommandLine;
using System.Globalization;
using System.Text;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Input;
using Ballast.Operations.Accounts;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Operations;

/// <summary>
/// <c>ballast restrictions add|remove|list</c>: do-not-buy, do-not-sell and maximum-weight restrictions of an account, a household or
/// the firm, and untradable securities (firm-wide). The store keeps them; <see cref="Restrictions"/> applies them. This only parses and renders.
/// </summary>
internal static class RestrictionCommands
{
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var restrictions = new Command("restrictions", "Restrictions of accounts, households and the firm: do-not-buy, do-not-sell, maximum weight, untradable securities");
        restrictions.Subcommands.Add(Change(ctx, add: true));
        restrictions.Subcommands.Add(Change(ctx, add: false));
        restrictions.Subcommands.Add(List(ctx));
        restrictions.Options.Add(StoreCommands.Db);
        restrictions.Options.Add(StoreCommands.Actor);
        root.Subcommands.Add(restrictions);
    }

    private static Command Change(CliContext ctx, bool add)
    {
        var account = new Option<string?>("--account") { Description = "The account it binds" };
        var household = new Option<string?>("--household") { Description = "The household whose every account it binds" };
        var firm = new Option<bool>("--firm") { Description = "Every account of the firm" };
        var ticker = new Option<string?>("--ticker") { Description = "The security" };
        var doNotBuy = new Option<bool>("--do-not-buy") { Description = "Never buy it" };
        var doNotSell = new Option<bool>("--do-not-sell") { Description = "Never sell it" };
        var maxWeightValue = new Option<string?>("--max-weight") { Description = "Hold at most this weight of the account (25%, 0.25)" };
        var maxWeightFlag = new Option<bool>("--max-weight") { Description = "The maximum-weight restriction" };
        var untradable = new Option<bool>("--untradable") { Description = "It cannot be traded (firm-wide): the models that target it need adjustment" };
        var reason = new Option<string?>("--reason") { Description = "Why (shown with the restriction)" };
        var command = new Command(add ? "add" : "remove", add
            ? "Add a restriction (replacing the same one): --account A, --household H or --firm; --ticker T; one kind"
            : "Remove a restriction: --account A, --household H or --firm; --ticker T; its kind");
        foreach (var o in new Option[] { account, household, firm, ticker, doNotBuy, doNotSell, add ? maxWeightValue : maxWeightFlag, untradable })
            command.Options.Add(o);
        if (add) command.Options.Add(reason);
        command.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var problems = new List<InputProblem>();
            var owners = new List<(RestrictionScope Scope, string? Name)>();
            if (parse.GetValue(account) is { } a) owners.Add((RestrictionScope.Account, a));
            if (parse.GetValue(household) is { } h) owners.Add((RestrictionScope.Household, h));
            if (parse.GetValue(firm)) owners.Add((RestrictionScope.Firm, null));
            if (owners.Count != 1) throw new InputException(new InputProblem("give one of --account, --household or --firm", Field: "--account"));
            var t = parse.GetValue(ticker) is { } given && !string.IsNullOrWhiteSpace(given) ? given.Trim().ToUpperInvariant()
                : throw new InputException(new InputProblem("name the security with --ticker", Field: "--ticker"));
            var kinds = new List<RestrictionKind>();
            if (parse.GetValue(doNotBuy)) kinds.Add(RestrictionKind.DoNotBuy);
            if (parse.GetValue(doNotSell)) kinds.Add(RestrictionKind.DoNotSell);
            if (add ? parse.GetValue(maxWeightValue) is not null : parse.GetValue(maxWeightFlag)) kinds.Add(RestrictionKind.MaxWeight);
            if (parse.GetValue(untradable)) kinds.Add(RestrictionKind.Untradable);
            if (kinds.Count != 1) throw new InputException(new InputProblem("give one of --do-not-buy, --do-not-sell, --max-weight or --untradable", Field: "--do-not-buy"));
            var (scope, name) = owners[0];
            var store = StoreCommands.Open(parse, ctx);
            if (!add)
            {
                var removed = store.RemoveRestriction(scope, name, t, kinds[0]);
                var owner = scope == RestrictionScope.Firm ? "the firm" : $"{(scope == RestrictionScope.Account ? "account" : "household")} {name}";
                ctx.Out.WriteLine(removed ? $"removed {BallastStore.KindWord(kinds[0])} {t} on {owner}" : $"{owner} had no {BallastStore.KindWord(kinds[0])} {t}");
                return ExitCodes.Ok;
            }
            var weight = kinds[0] == RestrictionKind.MaxWeight ? Flags.Fraction(parse, maxWeightValue, problems, 1m) : null;
            if (problems.Count > 0) throw new InputException(problems);
            var text = parse.GetValue(reason) is { } r ? Flags.OneLine(r) : null;
            var stored = store.SetRestriction(scope, name, t, kinds[0], weight, text);
            ctx.Out.WriteLine($"{stored.Describe()} on {stored.Owner}" + (text is null ? "" : $": {text}"));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(CliContext ctx)
    {
        var account = new Option<string?>("--account") { Description = "Only what binds this account: its hold, its own, its household's and the firm's restrictions" };
        var json = Flags.Json();
        var command = new Command("list", "List the restrictions (and the models an untradable security leaves needing adjustment)");
        command.Options.Add(account);
        command.Options.Add(json);
        command.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            string? hold = null;
            IReadOnlyList<StoredRestriction> rows;
            if (parse.GetValue(account) is { } name)
            {
                var of = store.RestrictionsOfAccount(name);
                hold = of.Hold;
                rows = of.Restrictions;
            }
            else rows = store.Restrictions();
            var models = Restrictions.ModelsNeedingAdjustment(store);
            if (parse.GetValue(json))
            {
                using var stream = new MemoryStream();
                using (var w = PlanJson.NewWriter(stream))
                {
                    w.WriteStartObject();
                    if (parse.GetValue(account) is { } a)
                    {
                        w.WriteString("account", a);
                        if (hold is not null) w.WriteString("hold", hold);
                        else w.WriteNull("hold");
                    }
                    w.WriteStartArray("restrictions");
                    foreach (var r in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("scope", r.Scope.ToString().ToLowerInvariant());
                        if (r.Scope != RestrictionScope.Firm) w.WriteString("name", r.Name);
                        w.WriteString("ticker", r.Ticker);
                        w.WriteString("kind", BallastStore.KindWord(r.Kind));
                        if (r.MaxWeight is { } m) PlanJson.Fraction(w, "maxWeight", m);
                        if (r.Reason is { } why) w.WriteString("reason", why);
                        w.WriteString("setAt", r.SetAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                        w.WriteString("actor", r.Actor);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("modelsNeedingAdjustment");
                    foreach (var (model, ticker) in models)
                    {
                        w.WriteStartObject();
                        w.WriteString("model", model);
                        w.WriteString("untradable", ticker);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
                return ExitCodes.Ok;
            }
            if (hold is not null) ctx.Console.MarkupLine($"[bold]Hold:[/] {Markup.Escape(hold)}");
            if (rows.Count == 0) ctx.Out.WriteLine("no restrictions");
            else
            {
                var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii).AddColumns("Binds", "Restriction", "Reason", "Set", "By");
                foreach (var r in rows)
                    table.AddRow(Markup.Escape(r.Owner), Markup.Escape(r.Describe()), Markup.Escape(r.Reason ?? ""),
                        r.SetAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(r.Actor));
                ctx.Console.Write(table);
            }
            foreach (var (model, ticker) in models) ctx.Out.WriteLine($"model {model} needs adjustment: {ticker} is untradable");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
