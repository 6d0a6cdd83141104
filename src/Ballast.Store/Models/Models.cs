using Ballast.Input;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>One version of a model: target weights and the policy block.</summary>
    /// <param name="Targets">Ticker to target weight as a fraction of the account (0.6 is 60 %); sums to 1.</param>
    /// <param name="Policy">Text of the portfolio-file <c>policy:</c> block, or null.</param>
    /// <param name="Execution">Text of the portfolio-file <c>execution:</c> block, or null.</param>
    public sealed record ModelInfo(string Name, int Version, IReadOnlyDictionary<string, decimal> Targets, string? Policy, DateTimeOffset CreatedAt, string Actor,
        string? Execution = null);

    public sealed partial class BallastStore
    {
        /// <summary>How far target weights may sum from 1 (0.0001, a hundredth of a percent).</summary>
        public const decimal WeightSumTolerance = 0.0001m;

        /// <summary>
        /// Creates the model or a new version of it. Returns the version number; when the targets, policy and execution settings
        /// equal the latest version's, nothing is written and that version is returned.
        /// </summary>
        /// <param name="execution">Text of a portfolio file's <c>execution:</c> block (whole shares, minimum trade, costs, reserve,
        /// money decimals...) for the accounts that follow this version, checked by the engine's reader; null or empty for none.</param>
        /// <param name="targets">Ticker to weight as a fraction (0..1, at most 10 decimals), summing to 1 within <see cref="WeightSumTolerance"/>.</param>
        /// <exception cref="InputException">A weight is out of range, the sum is not 1 or a ticker is unknown.</exception>
        public int SetModel(string name, IReadOnlyDictionary<string, decimal> targets, string? policy = null, string? execution = null) => Write("model set", scope =>
        {
            var problems = new List<InputProblem>();
            execution = CheckExecution(execution, "model execution settings", problems);
            if (string.IsNullOrWhiteSpace(name)) problems.Add(new("a model needs a name", Field: "NAME"));
            if (targets.Count == 0) problems.Add(new("a model needs at least one target", Field: "--targets"));
            var securities = scope.SecurityIds();
            var stored = new SortedDictionary<long, long>();
            foreach (var (ticker, weight) in targets)
            {
                var t = NormalizeTicker(ticker);
                if (!securities.TryGetValue(t, out var id)) { problems.Add(new($"unknown ticker '{t}'; import prices for it first", Field: "--targets")); continue; }
                if (weight < 0 || weight > 1 || !Scaled.TryToStored(weight, Scaled.WeightScale, out var w))
                {
                    problems.Add(new($"weight {weight} of {t} must be a fraction from 0 to 1 with at most {Scaled.WeightScale} decimals", Field: "--targets"));
                    continue;
                }
                stored[id] = w;
            }
            var sum = targets.Values.Sum();
            if (Math.Abs(sum - 1) > WeightSumTolerance) problems.Add(new($"weights sum to {sum}, not 1", Field: "--targets"));
            if (problems.Count > 0) throw new InputException(problems);

            var modelId = scope.ScalarLong("SELECT id FROM models WHERE tenant_id = @tenant AND name = @name", new { tenant = scope.Tenant, name });
            if (modelId is null)
            {
                modelId = scope.NextId("models");
                scope.Execute("INSERT INTO models (id, name, created_at, tenant_id) VALUES (@id, @name, @at, @tenant)", new { id = modelId, name, at = scope.Now, tenant = scope.Tenant });
            }
            var latest = scope.Query(
                "SELECT id, version, policy, execution FROM model_versions WHERE model_id = @modelId ORDER BY version DESC LIMIT 1", new { modelId },
                    r => (Id: r.GetInt64(0), Version: r.GetInt32(1), Policy: r.TextOrNull(2), Execution: r.TextOrNull(3))).ToList();
            if (latest.Count == 1 && latest[0].Policy == policy && latest[0].Execution == execution)
            {
                var old = scope.Query("SELECT security_id, weight FROM model_targets WHERE model_version_id = @id", new { id = latest[0].Id },
                    r => (SecurityId: r.GetInt64(0), Weight: r.GetInt64(1)))
                    .ToDictionary(t => t.SecurityId, t => t.Weight);
                if (old.Count == stored.Count && stored.All(s => old.TryGetValue(s.Key, out var w) && w == s.Value))
                    return (latest[0].Version, $"model {name} unchanged at version {latest[0].Version}");
            }
            var version = latest.Count == 0 ? 1 : latest[0].Version + 1;
            var versionId = scope.NextId("model_versions");
            scope.Execute("INSERT INTO model_versions (id, model_id, version, policy, created_at, actor, execution) VALUES (@versionId, @modelId, @version, @policy, @at, @actor, @execution)",
                new { versionId, modelId, version, policy, at = scope.Now, actor = Options.Actor, execution });
            scope.Insert("model_targets", ["model_version_id", "security_id", "weight"], stored.Select(s => new object?[] { versionId, s.Key, s.Value }).ToList());
            var tickers = securities.ToDictionary(s => s.Value, s => s.Key);
            return (version, $"model {name} version {version}: " + string.Join(", ", stored.Select(s => $"{tickers[s.Key]} {Scaled.Format(Scaled.Weight(s.Value))}")));
        });

        /// <summary>A model's latest version, or the given one; null when the model or version does not exist.</summary>
        public ModelInfo? GetModel(string name, int? version = null) => Read(c =>
        {
            var v = c.Query(
                """
                SELECT v.id, v.version, v.policy, v.created_at, v.actor, v.execution FROM model_versions v JOIN models m ON m.id = v.model_id
                WHERE m.tenant_id = @tenant AND m.name = @name AND (@version IS NULL OR v.version = @version) ORDER BY v.version DESC LIMIT 1
                """, new { tenant = Tenant, name, version },
                    r => (Id: r.GetInt64(0), Version: r.GetInt32(1), Policy: r.TextOrNull(2), CreatedAt: r.GetString(3), Actor: r.GetString(4), Execution: r.TextOrNull(5))).ToList();
            if (v.Count == 0) return null;
            var targets = c.Query(
                    "SELECT s.ticker, t.weight FROM model_targets t JOIN securities s ON s.id = t.security_id WHERE t.model_version_id = @id ORDER BY s.ticker", new { id = v[0].Id },
                        r => (Ticker: r.GetString(0), Weight: r.GetInt64(1)))
                .ToDictionary(t => t.Ticker, t => Scaled.Weight(t.Weight), StringComparer.Ordinal);
            return new ModelInfo(name, v[0].Version, targets, v[0].Policy, ParseInstant(v[0].CreatedAt), v[0].Actor, v[0].Execution);
        });

        /// <summary>
        /// Sets an account's own execution settings (text of a portfolio file's <c>execution:</c> block), read over its model's:
        /// fields it gives win, fields it leaves out come from the model, then the engine's defaults. Null or empty removes them.
        /// </summary>
        /// <exception cref="InputException">No such account, or the engine's reader refuses the text.</exception>
        public void SetAccountExecution(string account, string? execution) => Write("account execution", scope =>
        {
            var problems = new List<InputProblem>();
            execution = CheckExecution(execution, "account execution settings", problems);
            if (problems.Count > 0) throw new InputException(problems);
            var changed = scope.Execute("UPDATE accounts SET execution = @execution WHERE tenant_id = @tenant AND name = @account", new { execution, tenant = scope.Tenant, account });
            if (changed == 0) throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "ACCOUNT"));
            return (0, execution is null ? $"{account}: own execution settings removed" : $"{account}: execution settings " + execution.Trim().ReplaceLineEndings("; "));
        });

        /// <summary>An account's own execution settings text (null when it has none).</summary>
        /// <exception cref="InputException">No such account.</exception>
        public string? AccountExecution(string account) => Read(c =>
        {
            var rows = c.Query("SELECT execution FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = Tenant, account }, r => r.TextOrNull(0));
            return rows.Count == 1 ? rows[0] : throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "ACCOUNT"));
        });

        /// <summary>The text as stored (null when empty), after the engine's reader accepts it; its problems otherwise.</summary>
        private static string? CheckExecution(string? text, string source, List<InputProblem> problems)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            var read = PortfolioReader.ReadExecutionText(source, text);
            problems.AddRange(read.Problems);
            return text;
        }

        /// <summary>Names of the accounts following a model, by name.</summary>
        public IReadOnlyList<string> AccountsOnModel(string model) => Read(c => c.Query(
            "SELECT a.name FROM accounts a JOIN models m ON m.id = a.model_id WHERE m.tenant_id = @tenant AND m.name = @model ORDER BY a.name", new { tenant = Tenant, model }, r => r.GetString(0)).ToList());
    }
}
