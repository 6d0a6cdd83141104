using System.CommandLine;
using Ballast.Drift;
using Ballast.Households;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Policies;

namespace Ballast.Cli.Portfolio;

/// <summary><c>ballast check</c> and <c>ballast plan</c> on a portfolio file.</summary>
internal static class PortfolioCommands
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Check(context));
        root.Subcommands.Add(PlanCommand(context));
    }

    private static Command Check(CliContext context)
    {
        var options = new PortfolioOptions("check");
        var command = new Command("check", "Print the drift report and whether the policy says to rebalance now. Exit code 0: nothing to do; 1: rebalancing needed; 2: bad input.");
        options.AddTo(command);
        var notify = new Option<string?>("--notify") { Description = "POST the verdict to this webhook url (a check.result event) when the check says to act; a failed delivery only warns" };
        var notifySecret = new Option<string?>("--notify-secret") { Description = $"Sign --notify requests with this HMAC-SHA256 key (default: ${Operations.EventCommands.NotifySecretVariable}; none: unsigned)" };
        var notifyAlways = new Option<bool>("--notify-always") { Description = "With --notify, POST whatever the verdict" };
        command.Options.Add(notify);
        command.Options.Add(notifySecret);
        command.Options.Add(notifyAlways);
        command.Validators.Add(result =>
        {
            if (Flags.Value(result, notify) is { } url && Ballast.Store.BallastStore.CheckWebhookUrl(url) is { } bad) result.AddError($"--notify: {bad}");
            else if (Flags.Value(result, notify) is null && (Flags.Value(result, notifySecret) is not null || Flags.Value(result, notifyAlways)))
                result.AddError("--notify-secret and --notify-always go with --notify URL");
        });
        command.SetAction(parse =>
        {
            var url = parse.GetValue(notify);
            if (options.FromStore(parse))
                return url is null ? StoredCommands.Check(parse, context, options)
                    : throw new InputException(new InputProblem("--notify posts the check of a portfolio FILE; stored accounts' events go to webhooks ('ballast webhooks add')", Field: "--notify"));
            var portfolio = options.Load(parse, context);
            var plan = PortfolioDocuments.Check(portfolio);
            var json = parse.GetValue(options.Json) || url is not null ? PortfolioDocuments.CheckJson(portfolio, plan) : null;
            if (parse.GetValue(options.Json)) context.Out.Write(json);
            else PlanRenderer.RenderCheck(context, portfolio, plan);
            var exit = plan.Drift.NeedsAction ? ExitCodes.RebalanceNeeded : ExitCodes.Ok;
            if (url is not null && (exit == ExitCodes.RebalanceNeeded || parse.GetValue(notifyAlways)))
                Operations.EventCommands.NotifyCheck(context, url, parse.GetValue(notifySecret) ?? context.Environment(Operations.EventCommands.NotifySecretVariable),
                    parse.GetValue(options.File)!, plan, json!);
            return exit;
        });
        return command;
    }

    private static Command PlanCommand(CliContext context)
    {
        var options = new PortfolioOptions("plan");
        var deposit = new Option<string?>("--deposit") { Description = "Add this cash first and invest it by buying only (or with --rebalance)" };
        var withdraw = new Option<string?>("--withdraw") { Description = "Raise this cash by selling only" };
        var rebalance = new Option<bool>("--rebalance") { Description = "Apply the policy's rebalance-to rule now, whatever the trigger says" };
        var keepCash = new Option<bool>("--keep-cash") { Description = "Leave cash above the reserve uninvested" };
        var method = new Option<string?>("--method") { Description = "Cash-flow method: proportional, relative, equalize" };
        var csv = new Option<bool>("--csv") { Description = "Print the trades as an order file (ticker,side,quantity,value)" };
        var save = new Option<bool>("--save") { Description = "Record the plan as a proposal in the store and print its id (stored accounts only)" };
        var maxGain = new Option<string?>("--max-realized-gain") { Description = "Realize at most this net gain; trade toward target as far as the budget allows" };
        var noShortTerm = new Option<bool>("--no-short-term-gains") { Description = "Realize no net short-term gain in any sell" };
        var taxAware = new Option<bool>("--tax-aware") { Description = "Prefer the plan with the least estimated tax among those that satisfy the trigger" };
        var command = new Command("plan", "Print the drift report, the trades that bring the portfolio back, and the portfolio after them.");
        options.AddTo(command);
        foreach (var o in new Option[] { deposit, withdraw, rebalance, keepCash, method, csv, save, maxGain, noShortTerm, taxAware }) command.Options.Add(o);
        command.Validators.Add(result =>
        {
            if (Flags.Value(result, deposit) is not null && Flags.Value(result, withdraw) is not null)
                result.AddError("--deposit and --withdraw cannot be used together");
            if (Flags.Value(result, options.Json) && Flags.Value(result, csv))
                result.AddError("--json and --csv cannot be used together");
            var file = Flags.Value(result, options.File) is not null;
            if (Flags.Value(result, save) && file)
                result.AddError("--save records proposals for stored accounts: use it with --account, --household, --model or --all");
        });
        command.SetAction(parse =>
        {
            var problems = new List<InputProblem>();
            var depositValue = Flags.Amount(parse, deposit, problems) ?? 0;
            var withdrawValue = Flags.Amount(parse, withdraw, problems) ?? 0;
            var maxGainValue = Flags.Amount(parse, maxGain, problems);
            CashFlowMethod? methodValue = null;
            if (parse.GetValue(method) is { } m)
            {
                if (PolicyReader.TryParseMethod(m, out var cm)) methodValue = cm;
                else problems.Add(new InputProblem($"unknown method '{m}'; expected proportional, relative, equalize", Field: "--method"));
            }
            if (problems.Count > 0 && options.FromStore(parse)) throw new InputException(problems);
            var request = new PlanRequest
            {
                Deposit = depositValue, Withdraw = withdrawValue, ForceRebalance = parse.GetValue(rebalance),
                KeepCash = parse.GetValue(keepCash), Method = methodValue,
            };
            var taxOptions = new TaxPlanOptions { MaxRealizedGain = maxGainValue, NoShortTermGains = parse.GetValue(noShortTerm), TaxAware = parse.GetValue(taxAware) };
            if (options.FromStore(parse)) return StoredCommands.Plan(parse, context, options, request, taxOptions, parse.GetValue(csv), parse.GetValue(save));
            var portfolio = options.Load(parse, context, problems);

            var (plan, tax) = PortfolioDocuments.Plan(portfolio, request, taxOptions);
            if (parse.GetValue(options.Json)) context.Out.Write(PortfolioDocuments.PlanJsonText(portfolio, plan, tax));
            else if (parse.GetValue(csv)) context.Out.Write(PlanCsv.Write(plan));
            else PlanRenderer.RenderPlan(context, portfolio, plan, tax);
            return ExitCodes.Ok;
        });
        return command;
    }
}
