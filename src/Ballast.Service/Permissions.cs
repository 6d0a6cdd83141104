using Ballast.Store;

namespace Ballast.Service;

/// <summary>What a request may do; each <c>/v1</c> endpoint needs one.</summary>
public enum Permission
{
    /// <summary>Read the tenant's stored resources (accounts, models, proposals, windows, blocks, events, ...).</summary>
    Read,
    /// <summary>Check a portfolio's drift (read-only).</summary>
    Check,
    /// <summary>Plan trades.</summary>
    Plan,
    /// <summary>Trade: save proposals, run windows, create blocks, record fills, cancel proposals, record cash flows.</summary>
    Trade,
    /// <summary>Approve or reject proposals.</summary>
    Approve,
    /// <summary>Manage the tenant's models, accounts, restrictions, webhooks, keys and settings.</summary>
    Administer,
}

/// <summary>The one table of which role may do what. A viewer looks; a trader plans trades; an approver also approves; an admin may do everything.</summary>
public static class Permissions
{
    public static IReadOnlyDictionary<string, IReadOnlySet<Permission>> ByRole { get; } = new Dictionary<string, IReadOnlySet<Permission>>(StringComparer.Ordinal)
    {
        [ApiRoles.Viewer] = new HashSet<Permission> { Permission.Read, Permission.Check },
        [ApiRoles.Trader] = new HashSet<Permission> { Permission.Read, Permission.Check, Permission.Plan, Permission.Trade },
        [ApiRoles.Approver] = new HashSet<Permission> { Permission.Read, Permission.Check, Permission.Plan, Permission.Trade, Permission.Approve },
        [ApiRoles.Admin] = new HashSet<Permission> { Permission.Read, Permission.Check, Permission.Plan, Permission.Trade, Permission.Approve, Permission.Administer },
    };

    public static bool Allows(string role, Permission permission) => ByRole.TryGetValue(role, out var set) && set.Contains(permission);

    /// <summary>The roles that may, least first: for a 403's message.</summary>
    public static IEnumerable<string> RolesThatMay(Permission permission) => ApiRoles.All.Where(r => Allows(r, permission));

    /// <summary>The word for a permission in messages and the OpenAPI document.</summary>
    public static string Word(Permission permission) => permission switch
    {
        Permission.Read => "read",
        Permission.Check => "check",
        Permission.Plan => "plan",
        Permission.Trade => "trade",
        Permission.Approve => "approve",
        _ => "administer",
    };
}
