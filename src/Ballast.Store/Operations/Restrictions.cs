using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>Whom a restriction binds: one account, every account of a household, or every account of the firm.</summary>
    public enum RestrictionScope
    {
        Account,
        Household,
        Firm,
    }

    /// <summary>What a restriction forbids.</summary>
    public enum RestrictionKind
    {
        /// <summary>The ticker is not bought.</summary>
        DoNotBuy,
        /// <summary>The ticker is not sold.</summary>
        DoNotSell,
        /// <summary>The ticker is held at no more than a weight of the account.</summary>
        MaxWeight,
        /// <summary>The security cannot be traded (firm-wide): the models that target it need adjustment.</summary>
        Untradable,
    }

    /// <summary>A stored restriction.</summary>
    /// <param name="Name">The account's or household's name; empty for the firm.</param>
    /// <param name="MaxWeight">The weight, a fraction of 1, of a <see cref="RestrictionKind.MaxWeight"/> restriction.</param>
    public sealed record StoredRestriction(RestrictionScope Scope, string Name, string Ticker, RestrictionKind Kind, decimal? MaxWeight, string? Reason,
        DateTimeOffset SetAt, string Actor)
    {
        /// <summary>The restriction in words: <c>do-not-buy VXUS</c>, <c>max-weight VTI 25%</c>.</summary>
        public string Describe() => Kind == RestrictionKind.MaxWeight
            ? $"{BallastStore.KindWord(Kind)} {Ticker} {MaxWeight * 100:0.####}%"
            : $"{BallastStore.KindWord(Kind)} {Ticker}";

        /// <summary>Whom it binds, in words: <c>account smith-ira</c>, <c>household smith</c>, <c>the firm</c>.</summary>
        public string Owner => Scope == RestrictionScope.Firm ? "the firm" : $"{BallastStore.ScopeWord(Scope)} {Name}";
    }

    /// <summary>What binds one account: its hold (its own, else its household's) and the restrictions of the account, its household and the firm.</summary>
    public sealed record AccountRestrictions(string? Hold, IReadOnlyList<StoredRestriction> Restrictions)
    {
        public static AccountRestrictions None { get; } = new(null, []);

        public bool IsEmpty => Hold is null && Restrictions.Count == 0;
    }

    public sealed partial class BallastStore
    {
        internal static string ScopeWord(RestrictionScope scope) => scope switch
        {
            RestrictionScope.Account => "account",
            RestrictionScope.Household => "household",
            _ => "firm",
        };

        /// <summary>The word stored for a kind: do-not-buy, do-not-sell, max-weight, untradable.</summary>
        public static string KindWord(RestrictionKind kind) => kind switch
        {
            RestrictionKind.DoNotBuy => "do-not-buy",
            RestrictionKind.DoNotSell => "do-not-sell",
            RestrictionKind.MaxWeight => "max-weight",
            _ => "untradable",
        };

        private static RestrictionKind ParseKind(string word) => word switch
        {
            "do-not-buy" => RestrictionKind.DoNotBuy,
            "do-not-sell" => RestrictionKind.DoNotSell,
            "max-weight" => RestrictionKind.MaxWeight,
            _ => RestrictionKind.Untradable,
        };

        private static RestrictionScope ParseScope(string word) => word switch
        {
            "account" => RestrictionScope.Account,
            "household" => RestrictionScope.Household,
            _ => RestrictionScope.Firm,
        };

        /// <summary>
        /// Sets a restriction (replacing the same scope, name, ticker and kind). The account or household and the security must
        /// exist; a maximum weight is a fraction from 0 to 1; an untradable security is firm-wide.
        /// </summary>
        /// <exception cref="InputException">An unknown account, household or ticker, a weight outside 0..100%, or a misplaced kind (field named).</exception>
        public StoredRestriction SetRestriction(RestrictionScope scope, string? name, string ticker, RestrictionKind kind, decimal? maxWeight = null, string? reason = null) =>
            Write("restriction set", s =>
            {
                var key = CheckRestriction(s, scope, name, ticker, kind);
                long? value = null;
                if (kind == RestrictionKind.MaxWeight)
                {
                    if (maxWeight is not { } w || w < 0 || w > 1)
                        throw new InputException(new InputProblem($"a maximum weight is from 0% to 100%, not {(maxWeight is { } m ? $"{m * 100:0.####}%" : "none")}", Field: "--max-weight"));
                    value = Scaled.RoundToStored(w, Scaled.WeightScale);
                }
                else if (maxWeight is not null) throw new InputException(new InputProblem("only a max-weight restriction takes a weight", Field: "--max-weight"));
                var scopeWord = ScopeWord(scope);
                var kindWord = KindWord(kind);
                s.Execute("DELETE FROM restrictions WHERE tenant_id = @tenant AND scope = @scopeWord AND name = @key AND ticker = @ticker AND kind = @kindWord",
                    new { tenant = s.Tenant, scopeWord, key, ticker, kindWord });
                var id = s.NextId("restrictions");
                var at = s.Now;
                s.Execute("""
                    INSERT INTO restrictions (id, scope, name, ticker, kind, value, reason, set_at, actor, tenant_id)
                    VALUES (@id, @scopeWord, @key, @ticker, @kindWord, @value, @reason, @at, @actor, @tenant)
                    """, new { id, scopeWord, key, ticker, kindWord, value, reason, at, actor = Options.Actor, tenant = s.Tenant });
                var stored = new StoredRestriction(scope, key, ticker, kind, value is { } v ? Scaled.Weight(v) : null, reason, ParseInstant(at), Options.Actor);
                return (stored, $"restriction {stored.Describe()} on {stored.Owner}" + (reason is null ? "" : $": {reason}"));
            });

        /// <summary>Removes a restriction. Returns false when none was stored.</summary>
        public bool RemoveRestriction(RestrictionScope scope, string? name, string ticker, RestrictionKind kind) => Write("restriction removed", s =>
        {
            var key = CheckRestriction(s, scope, name, ticker, kind, tickerMustExist: false);
            var n = s.Execute("DELETE FROM restrictions WHERE tenant_id = @tenant AND scope = @scopeWord AND name = @key AND ticker = @ticker AND kind = @kindWord",
                new { tenant = s.Tenant, scopeWord = ScopeWord(scope), key, ticker, kindWord = KindWord(kind) });
            var owner = scope == RestrictionScope.Firm ? "the firm" : $"{ScopeWord(scope)} {key}";
            return (n > 0, n > 0 ? $"restriction {KindWord(kind)} {ticker} on {owner} removed" : $"no restriction {KindWord(kind)} {ticker} on {owner} to remove");
        });

        /// <summary>Every stored restriction, firm first, then households and accounts by name.</summary>
        public IReadOnlyList<StoredRestriction> Restrictions() => Read(c => c.Query(RestrictionSql + " WHERE tenant_id = @tenant ORDER BY scope DESC, name, ticker, kind", new { tenant = Tenant }, ReadRestriction));

        /// <summary>What binds one account (its hold and the restrictions of the account, its household and the firm).</summary>
        /// <exception cref="InputException">No such account.</exception>
        public AccountRestrictions RestrictionsOfAccount(string account)
        {
            var id = Read(c => c.Query("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = Tenant, account }, r => r.GetInt64(0)));
            if (id.Count == 0) throw new InputException(new InputProblem($"no account named '{account}'", Field: "--account"));
            return RestrictionsOfAccounts([id[0]])[id[0]];
        }

        /// <summary>
        /// What binds each account of a batch, in two reads: the accounts with their households' holds, then the restrictions of
        /// those accounts, their households and the firm. Accounts bound by nothing map to <see cref="AccountRestrictions.None"/>.
        /// </summary>
        public Dictionary<long, AccountRestrictions> RestrictionsOfAccounts(IReadOnlyCollection<long> accountIds) => Read(c =>
        {
            var result = new Dictionary<long, AccountRestrictions>();
            if (accountIds.Count == 0) return result;
            var ids = accountIds.Distinct().ToArray();
            var tenant = Tenant;
            // A window's batch is (nearly) a range of ids: read by ranges of the key (IdRanges), the accounts in them but not asked for left
            // out. "+a.tenant_id": not by the tenant's index, which SQLite would otherwise walk through all the tenant's accounts.
            var asked = ids.ToHashSet();
            var accounts = c.Query($"""
                SELECT a.id, a.name, h.name, a.hold, h.hold FROM accounts a LEFT JOIN households h ON h.id = a.household_id WHERE +a.tenant_id = @tenant AND {IdRanges(Provider, ids)("a.id")}
                """, new { tenant, ids, lo = ids.Min(), hi = ids.Max() }, r => (Id: r.GetInt64(0), Name: r.GetString(1), Household: r.TextOrNull(2), Hold: r.TextOrNull(3), HouseholdHold: r.TextOrNull(4)))
                .Where(a => asked.Contains(a.Id)).ToList();
            var names = accounts.Select(a => a.Name).ToArray();
            var households = accounts.Where(a => a.Household is not null).Select(a => a.Household!).Distinct().ToArray();
            var rows = c.Query(RestrictionSql + """
                 WHERE tenant_id = @tenant AND (scope = 'firm' OR (scope = 'account' AND name IN @names) OR (scope = 'household' AND name IN @households))
                 ORDER BY scope DESC, name, ticker, kind
                """, new { tenant, names, households }, ReadRestriction);
            var firm = rows.Where(r => r.Scope == RestrictionScope.Firm).ToList();
            var byAccount = rows.Where(r => r.Scope == RestrictionScope.Account).ToLookup(r => r.Name, StringComparer.Ordinal);
            var byHousehold = rows.Where(r => r.Scope == RestrictionScope.Household).ToLookup(r => r.Name, StringComparer.Ordinal);
            foreach (var a in accounts)
            {
                var hold = HoldText(a.Hold, a.Household, a.HouseholdHold);
                List<StoredRestriction> own = [.. firm, .. a.Household is null ? [] : byHousehold[a.Household], .. byAccount[a.Name]];
                result[a.Id] = hold is null && own.Count == 0 ? AccountRestrictions.None : new AccountRestrictions(hold, own);
            }
            foreach (var id in ids) result.TryAdd(id, AccountRestrictions.None);
            return result;
        });

        /// <summary>Puts a hold on every account of a household (a window run skips them, naming the reason), or lifts it with null.</summary>
        public void SetHouseholdHold(string household, string? reason) => Write(reason is null ? "household hold lifted" : "household hold", scope =>
        {
            var n = scope.Execute("UPDATE households SET hold = @reason WHERE tenant_id = @tenant AND name = @household", new { reason, tenant = scope.Tenant, household });
            if (n == 0) throw new InputException(new InputProblem($"no household named '{household}'", Field: "--household"));
            return (0, reason is null ? $"hold on household {household} lifted" : $"hold on household {household}: {reason}");
        });

        /// <summary>An account's hold in words: its own reason, else its household's as <c>household NAME: reason</c>.</summary>
        internal static string? HoldText(string? accountHold, string? household, string? householdHold) =>
            accountHold ?? (householdHold is null ? null : $"household {household}: {householdHold}");

        private const string RestrictionSql = "SELECT scope, name, ticker, kind, value, reason, set_at, actor FROM restrictions";

        private static StoredRestriction ReadRestriction(DbDataReader r) => new(ParseScope(r.GetString(0)), r.GetString(1), r.GetString(2), ParseKind(r.GetString(3)),
            r.LongOrNull(4) is { } v ? Scaled.Weight(v) : null, r.TextOrNull(5), ParseInstant(r.GetString(6)), r.GetString(7));

        private static string CheckRestriction(WriteScope s, RestrictionScope scope, string? name, string ticker, RestrictionKind kind, bool tickerMustExist = true)
        {
            if (string.IsNullOrWhiteSpace(ticker)) throw new InputException(new InputProblem("name the ticker", Field: "--ticker"));
            if (kind == RestrictionKind.Untradable && scope != RestrictionScope.Firm)
                throw new InputException(new InputProblem("an untradable security is firm-wide: use --firm", Field: "--untradable"));
            if (tickerMustExist && s.ScalarLong("SELECT id FROM securities WHERE ticker = @ticker", new { ticker }) is null)
                throw new InputException(new InputProblem($"no security with ticker '{ticker}'", Field: "--ticker"));
            if (scope == RestrictionScope.Firm) return "";
            var word = ScopeWord(scope);
            if (string.IsNullOrWhiteSpace(name)) throw new InputException(new InputProblem($"name the {word}", Field: "--" + word));
            var table = scope == RestrictionScope.Account ? "accounts" : "households";
            if (s.ScalarLong($"SELECT id FROM {table} WHERE tenant_id = @tenant AND name = @name", new { tenant = s.Tenant, name }) is null)
                throw new InputException(new InputProblem($"no {word} named '{name}'", Field: "--" + word));
            return name;
        }
    }
}
