using System.CommandLine;
using Ballast.Input;
using Ballast.Store;

namespace Ballast.Cli.Portfolio;

/// <summary>
/// Stored accounts as the tax commands and a household plan read them: engine portfolios with their lots, history and
/// tax settings, built by the store (<see cref="BallastStore.TaxPortfolio"/>). --account gives that account alone (with its
/// household's tax settings), --household the household as one portfolio, --all one per household and one per account
/// that has none.
/// </summary>
internal static class StoredTax
{
    /// <param name="forPlanning">For plan: every account needs a model, and a household's accounts one model. lots, tax and harvest need neither.</param>
    public static (List<StoredTaxPortfolio> Groups, string Scope, bool Single) Load(ParseResult parse, CliContext context, PortfolioOptions options, BallastStore store,
        bool forPlanning)
    {
        var (query, converter, scope) = options.StoreSelection(parse, context);
        converter.MarketFacts = new StoredMarket(store, query.AsOf).Add;
        converter.ModelOptional = !forPlanning;
        var converted = store.ReadAccounts(query).Select(converter.Convert).ToList();
        var field = query.Account is not null ? "--account" : query.Household is not null ? "--household" : "--all";
        if (converted.Count == 0)
            throw new InputException(new InputProblem(query.Account is { } a ? $"no account named '{a}'" : $"no stored account matches {scope}", Field: field));
        List<StoredTaxPortfolio> groups;
        if (query.Account is not null) groups = [store.TaxPortfolio(converted[0].Account.Name, converted[0].Account.Household, converted, forPlanning)];
        else if (query.Household is { } h) groups = [store.TaxPortfolio(h, h, converted, forPlanning)];
        else
        {
            groups = [.. converted.GroupBy(c => c.Account.Household ?? "\u0001" + c.Account.Name, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.First().Account.Household is { } hh ? store.TaxPortfolio(hh, hh, [.. g], forPlanning) : store.TaxPortfolio(g.Key[1..], null, [.. g], forPlanning))];
        }
        var single = query.Account is not null || query.Household is not null;
        if (single && groups[0].Error is { } error) throw new InputException(new InputProblem(error, Field: field));
        foreach (var g in groups)
        {
            foreach (var w in g.Warnings) context.Error.WriteLine($"ballast: warning: {w}");
            if (g.Error is { } e) context.Error.WriteLine($"ballast: warning: skipped {g.Name}: {e}");
        }
        return ([.. groups.Where(g => g.Portfolio is not null)], scope, single);
    }
}
