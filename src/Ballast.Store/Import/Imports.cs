using System.Security.Cryptography;
using System.Text;
using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>What an import did.</summary>
    /// <param name="RowsRead">Data rows read from the file.</param>
    /// <param name="Added">Rows (transactions, prices, accounts) written.</param>
    /// <param name="Skipped">Rows already in the store (same idempotency key or no change), written again as nothing.</param>
    /// <param name="Notes">Rows skipped as not modeled (with <c>--skip-unknown</c>) and warnings, such as history reconciled to a positions snapshot.</param>
    public sealed record ImportResult(int RowsRead, int Added, int Skipped, string Summary, IReadOnlyList<string>? Notes = null);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// Creates accounts from a CSV with columns <c>account,type,currency</c> and optional <c>household,model,policy</c>.
        /// Accounts that exist with the same type and currency are skipped, so re-importing changes nothing.
        /// </summary>
        public ImportResult ImportAccounts(string path, string? displayName = null)
        {
            var file = CsvFile.Open(path, ["account", "type", "currency"], displayName);
            var problems = new List<InputProblem>();
            int iName = file.IndexOf("account")!.Value, iType = file.IndexOf("type")!.Value, iCur = file.IndexOf("currency")!.Value;
            int? iHouse = file.IndexOf("household"), iModel = file.IndexOf("model"), iPolicy = file.IndexOf("policy"), iNumber = file.IndexOf("broker_account"),
                iMethod = file.IndexOf("lot_method");
            var numbers = new Dictionary<string, (string Account, int Line)>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            // The file is read once, row by row, inside the write, and written in batches; a problem stops the writing (the
            // transaction rolls back at the end) but not the reading, so every problem of the file is reported, as before.
            return WriteImport("import accounts", scope =>
            {
                const int Batch = 10_000;
                var rows = new List<(int Line, NewAccount Account)>(Batch);
                var writeProblems = new List<InputProblem>();
                var models = scope.Query("SELECT name, id FROM models WHERE tenant_id = @tenant", new { tenant = scope.Tenant }, r => (Name: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(m => m.Name, m => m.Id);
                var households = scope.Query("SELECT name, id FROM households WHERE tenant_id = @tenant", new { tenant = scope.Tenant }, r => (Name: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(h => h.Name, h => h.Id);
                int added = 0, skipped = 0, n = 0;

                void Write()
                {
                    if (rows.Count == 0) return;
                    if (problems.Count == 0)
                    {
                        var existing = new Dictionary<string, (string Type, string Currency)>(StringComparer.Ordinal);
                        foreach (var chunk in rows.Select(r => r.Account.Name).Chunk(500))
                            foreach (var e in scope.Query("SELECT name, type, currency FROM accounts WHERE tenant_id = @tenant AND name IN @chunk", new { tenant = scope.Tenant, chunk }, r => (Name: r.GetString(0), Type: r.GetString(1), Currency: r.GetString(2))))
                                existing[e.Name] = (e.Type, e.Currency);
                        var newHouseholds = new List<object?[]>();
                        var accounts = new List<object?[]>(rows.Count);
                        var balances = new List<object?[]>(rows.Count);
                        foreach (var (line, a) in rows)
                        {
                            if (existing.TryGetValue(a.Name, out var e))
                            {
                                if (e.Type != a.Type.ToText() || e.Currency != a.Currency)
                                    writeProblems.Add(new($"account '{a.Name}' exists as {e.Type} {e.Currency}; the file says {a.Type.ToText()} {a.Currency}", file.Name, line, Field: "account"));
                                skipped++;
                                continue;
                            }
                            long? modelId = null;
                            if (a.Model is not null)
                            {
                                if (models.TryGetValue(a.Model, out var mid)) modelId = mid;
                                else writeProblems.Add(new($"model '{a.Model}' does not exist", file.Name, line, Field: "model"));
                            }
                            long? householdId = null;
                            if (a.Household is not null)
                            {
                                if (!households.TryGetValue(a.Household, out var hid))
                                {
                                    households[a.Household] = hid = scope.NextId("households");
                                    newHouseholds.Add([hid, a.Household, scope.Now, scope.Tenant]);
                                }
                                householdId = hid;
                            }
                            var id = scope.NextId("accounts");
                            accounts.Add([id, a.Name, householdId, a.Type.ToText(), a.Currency, modelId, a.Policy, scope.Now, Ballast.Tax.LotSelectionMethods.ToWord(a.LotMethod), scope.Tenant]);
                            balances.Add([id, 0L, null]);
                        }
                        added += accounts.Count;
                        if (writeProblems.Count == 0)
                        {
                            scope.Insert("households", ["id", "name", "created_at", "tenant_id"], newHouseholds);
                            scope.Insert("accounts", ["id", "name", "household_id", "type", "currency", "model_id", "policy", "created_at", "lot_method", "tenant_id"], accounts);
                            scope.Insert("balances", ["account_id", "cash", "last_rebalance"], balances);
                        }
                    }
                    rows.Clear();
                    scope.Store.Options.Steps?.Invoke("accounts", file.BytesRead, file.Length);
                }

                foreach (var row in file.Stream())
                {
                    n++;
                    var name = CsvFile.Cell(row, iName);
                    var typeText = CsvFile.Cell(row, iType);
                    var cur = CsvFile.Cell(row, iCur);
                    if (name is null) { problems.Add(new("missing account name", file.Name, row.Line, Field: "account")); continue; }
                    if (!seen.Add(name)) { problems.Add(new($"account '{name}' appears twice", file.Name, row.Line, Field: "account")); continue; }
                    if (!LedgerNames.TryParseAccountType(typeText, out var type))
                        problems.Add(new($"'{typeText}' is not an account type (taxable, tax-deferred, tax-free)", file.Name, row.Line, Field: "type"));
                    if (cur is null || cur.Length != 3 || !cur.All(char.IsAsciiLetter))
                        problems.Add(new($"'{cur}' is not a three-letter currency code", file.Name, row.Line, Field: "currency"));
                    foreach (var number in (CsvFile.Cell(row, iNumber) ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        if (!numbers.TryAdd(number, (name, row.Line)))
                            problems.Add(new($"broker account number '{number}' is given to two accounts", file.Name, row.Line, Field: "broker_account"));
                    var method = Ballast.Tax.LotSelectionMethod.Fifo;
                    if (CsvFile.Cell(row, iMethod) is { } methodText && !StoredLotMethods.TryParse(methodText, out method, out var methodError))
                        problems.Add(new(methodError!, file.Name, row.Line, Field: "lot_method"));
                    rows.Add((row.Line, new NewAccount(name, type, (cur ?? "").ToUpperInvariant(), CsvFile.Cell(row, iHouse), CsvFile.Cell(row, iModel), CsvFile.Cell(row, iPolicy), method)));
                    if (rows.Count >= Batch) Write();
                }
                Write();
                if (problems.Count > 0) throw new InputException(problems);
                if (writeProblems.Count > 0) throw new InputException(writeProblems);
                var mapped = 0;
                if (numbers.Count > 0)
                {
                    var ids = scope.Query("SELECT name, id FROM accounts WHERE tenant_id = @tenant AND name IN @names",
                        new { tenant = scope.Tenant, names = numbers.Values.Select(n => n.Account).Distinct().ToArray() }, r => (Name: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(a => a.Name, a => a.Id);
                    var known = scope.Query("SELECT number, account_id FROM account_numbers WHERE tenant_id = @tenant AND number IN @keys",
                        new { tenant = scope.Tenant, keys = numbers.Keys.ToArray() }, r => (Number: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(n => n.Number, n => n.Id);
                    foreach (var (number, (name, line)) in numbers)
                    {
                        if (known.TryGetValue(number, out var owner))
                        {
                            if (owner != ids[name]) problems.Add(new($"broker account number '{number}' already belongs to another account", file.Name, line, Field: "broker_account"));
                            continue;
                        }
                        scope.Execute("INSERT INTO account_numbers (number, account_id, tenant_id) VALUES (@number, @id, @tenant)", new { number, id = ids[name], tenant = scope.Tenant });
                        mapped++;
                    }
                    if (problems.Count > 0) throw new InputException(problems);
                }
                var result = new ImportResult(n, added, skipped,
                    $"{added} accounts added, {skipped} already present" + (mapped > 0 ? $", {mapped} broker account numbers mapped" : ""));
                if (added == 0 && mapped == 0) throw new Unchanged(result);
                RecordImport(scope, "accounts", file);
                return (result, $"imported accounts from {file.Name}: {result.Summary}");
            });
        }

        /// <summary>
        /// Account ids by the names a file uses: an account's name, or a broker account number mapped to it
        /// (the <c>broker_account</c> column of an accounts import).
        /// </summary>
        private static Dictionary<string, long> ResolveAccounts(WriteScope scope, Dictionary<string, int> accountLines, CsvFile file, List<InputProblem> problems, string? field)
        {
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            if (accountLines.Count > 2000)
            {
                foreach (var a in scope.Query("SELECT name, id FROM accounts WHERE tenant_id = @tenant", new { tenant = scope.Tenant }, r => (Name: r.GetString(0), Id: r.GetInt64(1))))
                    if (accountLines.ContainsKey(a.Name)) ids[a.Name] = a.Id;
            }
            else
            {
                foreach (var chunk in accountLines.Keys.Chunk(500))
                    foreach (var a in scope.Query("SELECT name, id FROM accounts WHERE tenant_id = @tenant AND name IN @chunk", new { tenant = scope.Tenant, chunk }, r => (Name: r.GetString(0), Id: r.GetInt64(1))))
                        ids[a.Name] = a.Id;
            }
            var unnamed = accountLines.Keys.Where(k => !ids.ContainsKey(k)).ToArray();
            foreach (var chunk in unnamed.Chunk(500))
                foreach (var a in scope.Query("SELECT number, account_id FROM account_numbers WHERE tenant_id = @tenant AND number IN @chunk", new { tenant = scope.Tenant, chunk }, r => (Number: r.GetString(0), Id: r.GetInt64(1))))
                    ids[a.Number] = a.Id;
            foreach (var (name, line) in accountLines)
                if (!ids.ContainsKey(name))
                    problems.Add(new($"account '{name}' does not exist and no account has that broker account number; create it first (an accounts import maps numbers with its broker_account column)",
                        file.Name, field == "--account" ? null : line, Field: field));
            return ids;
        }

        /// <summary>Thrown inside a write whose result changes nothing: the write rolls back, so neither an import nor an audit row is added.</summary>
        private sealed class Unchanged(ImportResult result) : Exception("nothing changed")
        {
            public ImportResult Result { get; } = result;
        }

        /// <summary>Runs an import write; an import that would change nothing records nothing.</summary>
        private ImportResult WriteImport(string action, Func<WriteScope, (ImportResult Result, string Summary)> work)
        {
            try
            {
                return Write(action, work);
            }
            catch (Unchanged u)
            {
                return u.Result;
            }
        }

        private static void RecordSkipped(WriteScope scope, long importId, IEnumerable<(int Line, string Reason)> skipped)
        {
            foreach (var (line, reason) in skipped)
                scope.Execute("INSERT INTO import_skipped (import_id, line, reason) VALUES (@importId, @line, @reason)", new { importId, line, reason });
        }

        private static long RecordImport(WriteScope scope, string kind, CsvFile file, long? reserved = null)
        {
            var id = reserved ?? scope.NextId("imports");
            scope.Execute("INSERT INTO imports (id, kind, file, sha256, rows_read, at, actor, tenant_id) VALUES (@id, @kind, @file, @sha, @rows, @at, @actor, @tenant)",
                new { id, kind, file = file.Name, sha = file.Sha256, rows = (long)file.RowCount, at = scope.Now, actor = scope.Store.Options.Actor, tenant = scope.Tenant });
            return id;
        }
    }
}
