using Ballast.Store;

namespace Ballast.Service;

/// <summary>What a request may do; each <c>/v1</c> endpoint needs one.</summary>
public enum Permission
{
    /// <summary>Check a portfolio's drift (read-only).</summary>
    Check,
    /// <summary>Plan trades.</summary>
    Plan,
    /// <summary>Approve or reject proposals.</summary>
    Approve,
    /// <summary>Manage the tenant's keys and settings.</summary>
    Administer,
}

/// <summary>The one table of which role may do what. A viewer looks; a trader plans trades; an approver also approves; an admin may do everything.</summary>
public static class Permissions
{
    public static IReadOnlyDictionary<string, IReadOnlySet<Permission>> ByRole { get; } = new Dictionary<string, IReadOnlySet<Permission>>(StringComparer.Ordinal)
    {
        [ApiRoles.Viewer] = new HashSet<Permission> { Permission.Check },
        [ApiRoles.Trader] = new HashSet<Permission> { Permission.Check, Permission.Plan },
        [ApiRoles.Approver] = new HashSet<Permission> { Permission.Check, Permission.Plan, Permission.Approve },
        [ApiRoles.Admin] = new HashSet<Permission> { Permission.Check, Permission.Plan, Permission.Approve, Permission.Administer },
    };

    public static bool Allows(string role, Permission permission) => ByRole.TryGetValue(role, out var set) && set.Contains(permission);

    /// <summary>The roles that may, least first: for a 403's message.</summary>
    public static IEnumerable<string> RolesThatMay(Permission permission) => ApiRoles.All.Where(r => Allows(r, permission));

    /// <summary>The word for a permission in messages and the OpenAPI document.</summary>
    public static string Word(Permission permission) => permission switch
    {
        Permission.Check => "check",
        Permission.Plan => "plan",
        Permission.Approve => "approve",
        _ => "administer",
    };
}
