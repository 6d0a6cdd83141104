using System.CommandLine;
using System.Globalization;
using Ballast.Input;
using Ballast.Operations.Models;

namespace Ballast.Cli.Store;

/// <summary><c>ballast model set NAME --targets ... [--execution-file F | execution flags]</c> and <c>ballast model assign NAME --account A</c>.</summary>
public static class ModelCommands
{
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var name = new Argument<string>("NAME");
        var targets = new Option<string>("--targets") { Description = "Ticker=weight pairs, fractions or percents: \"VTI=0.6,BND=0.4\" or \"VTI=60%,BND=40%\"", Required = true };
        var policyFile = new Option<string?>("--policy-file") { Description = "File holding the portfolio-file policy: block for this model" };
        var execution = new ExecutionSettings();
        var set = new Command("set", "Create a model or a new version of it; its execution settings carry over from the latest version unless changed");
        set.Arguments.Add(name);
        set.Options.Add(targets);
        set.Options.Add(policyFile);
        execution.AddTo(set);
        set.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var weights = ParseTargets(parse.GetValue(targets)!);
            var policyPath = parse.GetValue(policyFile);
            string? policy = null;
            if (policyPath is not null)
            {
                var problems = new List<InputProblem>();
                policy = Document.ReadFile(ctx.ResolvePath(policyPath), policyPath, problems) ?? throw new InputException(problems);
            }
            var store = StoreCommands.Open(parse, ctx);
            // A new version keeps the latest version's execution settings; the file replaces them, the flags change fields of them.
            var version = ModelVersions.Set(store, parse.GetValue(name)!, weights, policy, policyPath ?? "--policy", latest => execution.Build(parse, ctx, latest));
            ctx.Out.WriteLine($"model {parse.GetValue(name)} version {version}");
            return ExitCodes.Ok;
        }));

        var assignName = new Argument<string>("NAME");
        var account = StoreCommands.AccountOption(required: true);
        var assign = new Command("assign", "Make an account follow a model");
        assign.Arguments.Add(assignName);
        assign.Options.Add(account);
        assign.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            StoreCommands.Open(parse, ctx).AssignModel(parse.GetValue(account)!, parse.GetValue(assignName));
            ctx.Out.WriteLine($"{parse.GetValue(account)} follows {parse.GetValue(assignName)}");
            return ExitCodes.Ok;
        }));

        var model = new Command("model", "Models: named target allocations with versions and a policy");
        model.Subcommands.Add(set);
        model.Subcommands.Add(assign);
        root.Subcommands.Add(model);
    }

    /// <summary>Reads <c>VTI=0.6,BND=0.4</c> or <c>VTI=60%,BND=40%</c> into fractions.</summary>
    internal static Dictionary<string, decimal> ParseTargets(string text)
    {
        var result = new Dictionary<string, decimal>(StringComparer.OrdinalIgnoreCase);
        var problems = new List<InputProblem>();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            var value = kv.Length == 2 ? kv[1] : "";
            var percent = value.EndsWith('%');
            if (kv.Length != 2 || !decimal.TryParse(percent ? value[..^1] : value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var w))
            {
                problems.Add(new InputProblem($"'{pair}' is not TICKER=weight", Field: "--targets"));
                continue;
            }
            result[kv[0]] = percent ? w / 100m : w;
        }
        if (problems.Count > 0) throw new InputException(problems);
        return result;
    }
}
