using Ballast.Households;
using Ballast.Planning;

namespace Ballast.Operations.Documents;

/// <summary>
/// The check and the plan of one portfolio document (a portfolio file, or the body of the service's <c>POST /v1/check</c>
/// and <c>POST /v1/plan</c>), and the JSON they answer with: what <c>ballast check FILE --json</c> and
/// <c>ballast plan FILE --json</c> print. Every host calls these, so the documents are the same byte for byte.
/// </summary>
public static class PortfolioDocuments
{
    /// <summary>The check: the drift report and whether the policy says to act now.</summary>
    public static Plan Check(Ballast.Portfolios.Portfolio portfolio) => Planner.Create(portfolio);

    /// <summary>The check's JSON document (no <c>after</c>).</summary>
    public static string CheckJson(Ballast.Portfolios.Portfolio portfolio, Plan plan) => PlanJson.Write(portfolio, plan, includeAfter: false);

    /// <summary>
    /// The plan; with lots, accounts or tax options it comes from the tax planner (which runs the engine and distributes its
    /// trades over the accounts), so there is one planner either way.
    /// </summary>
    public static (Plan Plan, TaxPlan? Tax) Plan(Ballast.Portfolios.Portfolio portfolio, PlanRequest request, TaxPlanOptions taxOptions)
    {
        var withTax = portfolio.Tax is not null || taxOptions.MaxRealizedGain is not null || taxOptions.NoShortTermGains || taxOptions.TaxAware;
        var tax = withTax ? HouseholdPlanner.Create(portfolio, request, taxOptions) : null;
        return (tax?.Plan ?? Planner.Create(portfolio, request), tax);
    }

    /// <summary>The plan's JSON document (with <c>after</c>, and the tax part when there is one).</summary>
    public static string PlanJsonText(Ballast.Portfolios.Portfolio portfolio, Plan plan, TaxPlan? tax) => PlanJson.Write(portfolio, plan, includeAfter: true, tax);
}
