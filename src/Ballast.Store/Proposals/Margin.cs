using Ballast.Input;

namespace Ballast.Store
{
    public sealed partial class BallastStore
    {
        /// <summary>
        /// Lets an account's cash go below zero through fills (a margin account), or stops it. Accounts start without margin:
        /// a buy that would take their cash below zero is refused.
        /// </summary>
        /// <exception cref="InputException">No such account.</exception>
        public void SetMargin(string account, bool allow) => Write("account margin", scope =>
        {
            var changed = scope.Execute("UPDATE accounts SET allow_margin = @m WHERE tenant_id = @tenant AND name = @account", new { m = allow ? 1 : 0, tenant = scope.Tenant, account });
            if (changed == 0) throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "ACCOUNT"));
            return (0, $"{account}: margin {(allow ? "allowed" : "not allowed")}");
        });
    }
}
