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
    public sealed record ImportResult(int RowsRead, int Added, int Skipped, string Summary);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// Creates accounts from a CSV with columns <c>account,type,currency</c> and optional <c>household,model,policy</c>.
        /// Accounts that exist with the same type and currency are skipped, so re-importing changes nothing.
        /// </summary>
        public ImportResult ImportAccounts(string path, string? displayName = null)
        {
            var file = CsvFile.Read(path, ["account", "type", "currency"], displayName);
            var problems = new List<InputProblem>();
            int iName = file.IndexOf("account")!.Value, iType = file.IndexOf("type")!.Value, iCur = file.IndexOf("currency")!.Value;
            int? iHouse = file.IndexOf("household"), iModel = file.IndexOf("model"), iPolicy = file.IndexOf("policy");
            var rows = new List<(int Line, NewAccount Account)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in file.Rows)
            {
                var name = CsvFile.Cell(row, iName);
                var typeText = CsvFile.Cell(row, iType);
                var cur = CsvFile.Cell(row, iCur);
                if (name is null) { problems.Add(new("missing account name", file.Name, row.Line, Field: "account")); continue; }
                if (!seen.Add(name)) { problems.Add(new($"account '{name}' appears twice", file.Name, row.Line, Field: "account")); continue; }
                if (!LedgerNames.TryParseAccountType(typeText, out var type))
                    problems.Add(new($"'{typeText}' is not an account type (taxable, tax-deferred, tax-free)", file.Name, row.Line, Field: "type"));
                if (cur is null || cur.Length != 3 || !cur.All(char.IsAsciiLetter))
                    problems.Add(new($"'{cur}' is not a three-letter currency code", file.Name, row.Line, Field: "currency"));
                rows.Add((row.Line, new NewAccount(name, type, (cur ?? "").ToUpperInvariant(), CsvFile.Cell(row, iHouse), CsvFile.Cell(row, iModel), CsvFile.Cell(row, iPolicy))));
            }
            if (problems.Count > 0) throw new InputException(problems);
            return Write("import accounts", scope =>
            {
                var existing = new Dictionary<string, (string Type, string Currency)>(StringComparer.Ordinal);
                if (rows.Count > 2000)
                {
                    foreach (var e in scope.Query("SELECT name, type, currency FROM accounts",
                        r => (Name: r.GetString(0), Type: r.GetString(1), Currency: r.GetString(2))))
                        if (seen.Contains(e.Name)) existing[e.Name] = (e.Type, e.Currency);
                }
                else
                {
                    foreach (var chunk in rows.Select(r => r.Account.Name).Chunk(500))
                        foreach (var e in scope.Query("SELECT name, type, currency FROM accounts WHERE name IN @chunk", new { chunk },
                            r => (Name: r.GetString(0), Type: r.GetString(1), Currency: r.GetString(2))))
                            existing[e.Name] = (e.Type, e.Currency);
                }
                var models = scope.Query("SELECT name, id FROM models", r => (Name: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(m => m.Name, m => m.Id);
                var households = scope.Query("SELECT name, id FROM households", r => (Name: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(h => h.Name, h => h.Id);
                var newHouseholds = new List<object?[]>();
                var accounts = new List<object?[]>();
                var balances = new List<object?[]>();
                var skipped = 0;
                foreach (var (line, a) in rows)
                {
                    if (existing.TryGetValue(a.Name, out var e))
                    {
                        if (e.Type != a.Type.ToText() || e.Currency != a.Currency)
                            problems.Add(new($"account '{a.Name}' exists as {e.Type} {e.Currency}; the file says {a.Type.ToText()} {a.Currency}", file.Name, line, Field: "account"));
                        skipped++;
                        continue;
                    }
                    long? modelId = null;
                    if (a.Model is not null)
                    {
                        if (models.TryGetValue(a.Model, out var mid)) modelId = mid;
                        else problems.Add(new($"model '{a.Model}' does not exist", file.Name, line, Field: "model"));
                    }
                    long? householdId = null;
                    if (a.Household is not null)
                    {
                        if (!households.TryGetValue(a.Household, out var hid))
                        {
                            households[a.Household] = hid = scope.NextId("households");
                            newHouseholds.Add([hid, a.Household, scope.Now]);
                        }
                        householdId = hid;
                    }
                    var id = scope.NextId("accounts");
                    accounts.Add([id, a.Name, householdId, a.Type.ToText(), a.Currency, modelId, a.Policy, scope.Now]);
                    balances.Add([id, 0L, null]);
                }
                if (problems.Count > 0) throw new InputException(problems);
                scope.Insert("households", ["id", "name", "created_at"], newHouseholds);
                scope.Insert("accounts", ["id", "name", "household_id", "type", "currency", "model_id", "policy", "created_at"], accounts);
                scope.Insert("balances", ["account_id", "cash", "last_rebalance"], balances);
                RecordImport(scope, "accounts", file);
                return (new ImportResult(file.Rows.Count, accounts.Count, skipped, $"{accounts.Count} accounts added, {skipped} already present"),
                    $"imported accounts from {file.Name}: {accounts.Count} added, {skipped} already present");
            });
        }

        /// <summary>
        /// Brings holdings (and cash, when the file has a cash row) to the positions a broker reports, by appending
        /// adjustment transactions for the differences. Positions not in the file are closed for the accounts it covers.
        /// Importing the same file again finds no difference and appends nothing.
        /// </summary>
        /// <param name="account">Account every row belongs to; null when the file has an account column.</param>
        /// <param name="asOf">Date of the snapshot; defaults to today by the store's clock.</param>
        public ImportResult ImportPositions(string path, string? account = null, ColumnMapping? mapping = null, DateOnly? asOf = null, string? displayName = null)
        {
            var m = mapping ?? Layouts.BallastPositions;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var file = CsvFile.Read(path, m.RequiredColumns, displayName);
            WriteScope.TraceLine($"read {file.Rows.Count} rows", clock);
            var problems = new List<InputProblem>();
            var hTicker = m.HeaderIn(file, "ticker")!;
            var hQty = m.HeaderIn(file, "quantity");
            var hCost = m.HeaderIn(file, "cost_basis");
            var hValue = m.HeaderIn(file, "market_value");
            var hAccount = account is null ? m.HeaderIn(file, "account") : null;
            if (account is null && hAccount is null)
                throw new InputException(new InputProblem($"no --account given and no account column ('{m.Columns.GetValueOrDefault("account") ?? "account"}') in the file", file.Name, file.HeaderLine, Field: "account"));
            if (hQty is null)
                throw new InputException(new InputProblem($"missing column '{m.Columns["quantity"].Split('|')[0]}' in the header", file.Name, file.HeaderLine, Field: m.Columns["quantity"].Split('|')[0]));
            int iTicker = file.IndexOf(hTicker)!.Value;
            int? iQty = file.IndexOf(hQty), iCost = file.IndexOf(hCost), iValue = file.IndexOf(hValue), iAccount = file.IndexOf(hAccount);
            var date = asOf ?? Today;
            if (date > Today) problems.Add(new($"as-of date {FormatDate(date)} is in the future", file.Name, Field: "--as-of"));

            var positions = new Dictionary<string, Dictionary<string, (long Quantity, long? Cost, int Line)>>(StringComparer.Ordinal);
            var cash = new Dictionary<string, long>(StringComparer.Ordinal);
            var accountLines = new Dictionary<string, int>(StringComparer.Ordinal);
            var read = 0;
            foreach (var row in file.Rows)
            {
                var ticker = CsvFile.Cell(row, iTicker);
                if (ticker is null)
                {
                    if (row.Fields.Length > 1 && !CsvValues.IsBlank(CsvFile.Cell(row, iQty)))
                        problems.Add(new("missing ticker", file.Name, row.Line, Field: hTicker));
                    continue; // footers and notes
                }
                if (m.IsSkipped(ticker)) continue;
                read++;
                var acct = account ?? CsvFile.Cell(row, iAccount);
                if (acct is null) { problems.Add(new("missing account", file.Name, row.Line, Field: hAccount)); continue; }
                accountLines.TryAdd(acct, row.Line);
                if (!positions.ContainsKey(acct)) positions[acct] = new Dictionary<string, (long, long?, int)>(StringComparer.Ordinal);
                if (m.IsCash(ticker))
                {
                    var cell = CsvFile.Cell(row, iValue) ?? CsvFile.Cell(row, iQty);
                    var amount = CsvValues.Number(cell);
                    if (amount is null || !Scaled.TryToStored(amount.Value, Scaled.MoneyScale, out var stored))
                    {
                        problems.Add(new($"cash '{cell}' is not an amount with at most {Scaled.MoneyScale} decimals", file.Name, row.Line, Field: hValue ?? hQty));
                        continue;
                    }
                    cash[acct] = cash.GetValueOrDefault(acct) + stored;
                    continue;
                }
                var qtyCell = CsvFile.Cell(row, iQty);
                var qty = CsvValues.Number(qtyCell);
                if (qty is null) { problems.Add(new($"quantity '{qtyCell}' is not a number", file.Name, row.Line, Field: hQty)); continue; }
                if (qty < 0) { problems.Add(new($"quantity {qty} is negative; short positions are not supported", file.Name, row.Line, Field: hQty)); continue; }
                if (!Scaled.TryToStored(qty.Value, Scaled.QuantityScale, out var q))
                {
                    problems.Add(new($"quantity {qty} has more than {Scaled.QuantityScale} decimals", file.Name, row.Line, Field: hQty));
                    continue;
                }
                long? cost = null;
                var costCell = CsvFile.Cell(row, iCost);
                if (!CsvValues.IsBlank(costCell))
                {
                    var c = CsvValues.Number(costCell);
                    if (c is null) { problems.Add(new($"cost basis '{costCell}' is not a number", file.Name, row.Line, Field: hCost)); continue; }
                    cost = Scaled.Money(c.Value);
                }
                var key = NormalizeTicker(ticker);
                var before = positions[acct].GetValueOrDefault(key, (0, null, row.Line));
                positions[acct][key] = (before.Quantity + q, before.Cost is null && cost is null ? null : (before.Cost ?? 0) + (cost ?? 0), before.Line);
            }
            if (problems.Count > 0) throw new InputException(problems);
            file.Release();
            WriteScope.TraceLine("parsed", clock);

            return Write("import positions", scope =>
            {
                var accountIds = ResolveAccounts(scope, accountLines, file, problems, account is null ? hAccount : "--account");
                WriteScope.TraceLine("resolved accounts", clock);
                var securities = scope.SecurityIds();
                foreach (var (acct, held) in positions)
                    foreach (var (ticker, p) in held)
                        if (!securities.ContainsKey(ticker))
                            problems.Add(new($"unknown ticker '{ticker}'; import prices for it first", file.Name, p.Line, Field: hTicker));
                if (problems.Count > 0) throw new InputException(problems);
                var importId = RecordImport(scope, "positions", file);
                var ledger = scope.Ledger;
                ledger.Load(accountIds.Values.ToList());
                WriteScope.TraceLine("loaded state", clock);
                var dateText = FormatDate(date);
                var added = 0;
                foreach (var (acct, held) in positions)
                {
                    var accountId = accountIds[acct];
                    var state = ledger.State(accountId);
                    var target = held.ToDictionary(h => securities[h.Key], h => h.Value);
                    foreach (var security in target.Keys.Union(state.Holdings.Where(h => h.Value != 0).Select(h => h.Key)).Order().ToList())
                    {
                        var want = target.TryGetValue(security, out var t) ? t : (0, null, 0);
                        var delta = want.Quantity - state.Holdings.GetValueOrDefault(security);
                        if (delta == 0) continue;
                        long? price = want.Cost is { } cost && want.Quantity > 0
                            ? Scaled.RoundToStored(Scaled.Money(cost) / Scaled.Quantity(want.Quantity), Scaled.PriceScale) : null;
                        var id = scope.NextId("transactions"); // peek for a unique key; Append allocates the next
                        var error = ledger.Append(new TxnDraft(accountId, "adjustment", dateText, security, delta, price, 0, 0,
                            $"positions:{file.Sha256[..16]}:{id}", ImportId: importId, Memo: "positions import"), out _);
                        if (error is not null) problems.Add(new(error, file.Name, want.Line == 0 ? null : want.Line, Field: hQty));
                        added++;
                    }
                    if (cash.TryGetValue(acct, out var wantCash) && wantCash != state.Cash)
                    {
                        var id = scope.NextId("transactions");
                        ledger.Append(new TxnDraft(accountId, "adjustment", dateText, null, 0, null, wantCash - state.Cash, 0,
                            $"positions:{file.Sha256[..16]}:{id}", ImportId: importId, Memo: "positions import: cash"), out _);
                        added++;
                    }
                }
                if (problems.Count > 0) throw new InputException(problems);
                WriteScope.TraceLine("applied", clock);
                var skipped = read - Math.Min(read, added);
                return (new ImportResult(read, added, skipped, $"{added} adjustments for {positions.Count} accounts"),
                    $"imported positions from {file.Name}: {read} rows, {added} adjustments for {positions.Count} accounts");
            });
        }

        /// <summary>
        /// Appends a broker's transactions. Each row's idempotency key is the broker's transaction id when the layout
        /// has one, else a hash of the row's content and its occurrence, so re-importing the file (or an overlapping
        /// export) appends only rows not seen before. Rows are applied oldest first.
        /// </summary>
        public ImportResult ImportTransactions(string path, string? account = null, ColumnMapping? mapping = null, string? displayName = null)
        {
            var m = mapping ?? Layouts.BallastTransactions;
            var file = CsvFile.Read(path, m.RequiredColumns, displayName);
            var problems = new List<InputProblem>();
            string H(string field) => m.HeaderIn(file, field) ?? field;
            int? I(string field) => file.IndexOf(m.HeaderIn(file, field));
            var hAccount = account is null ? m.HeaderIn(file, "account") : null;
            if (account is null && hAccount is null)
                throw new InputException(new InputProblem($"no --account given and no account column ('{m.Columns.GetValueOrDefault("account") ?? "account"}') in the file", file.Name, file.HeaderLine, Field: "account"));
            int? iAccount = file.IndexOf(hAccount), iDate = I("date"), iAction = I("action"), iTicker = I("ticker"), iQty = I("quantity"),
                iPrice = I("price"), iAmount = I("amount"), iId = I("id"), iLots = I("lots");
            var feeIndexes = (m.Columns.GetValueOrDefault("fee") ?? "").Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(h => (Header: h, Index: file.IndexOf(h))).Where(f => f.Index is not null).ToList();
            var today = Today;
            var rows = new List<(int Line, string Account, TxnDraft Draft, string? Ticker, string TickerField)>();
            foreach (var row in file.Rows)
            {
                if (row.Fields.Length == 1) continue; // notes and disclaimers below the data
                var actionText = CsvFile.Cell(row, iAction);
                if (actionText is null || actionText.StartsWith("Transactions Total", StringComparison.OrdinalIgnoreCase)) continue;
                var before = problems.Count;
                var acct = account ?? CsvFile.Cell(row, iAccount);
                if (acct is null) problems.Add(new("missing account", file.Name, row.Line, Field: hAccount));
                var dateCell = CsvFile.Cell(row, iDate);
                var date = CsvValues.Date(dateCell, m.DateFormat);
                if (date is null) problems.Add(new($"'{dateCell}' is not a date", file.Name, row.Line, Field: H("date")));
                else if (date > today) problems.Add(new($"date {FormatDate(date.Value)} is in the future (today is {FormatDate(today)})", file.Name, row.Line, Field: H("date")));
                var rule = m.Actions.FirstOrDefault(r => r.Exact
                    ? actionText.Equals(r.Contains, StringComparison.OrdinalIgnoreCase)
                    : actionText.Contains(r.Contains, StringComparison.OrdinalIgnoreCase));
                if (rule is null) { problems.Add(new($"unknown action '{actionText}'", file.Name, row.Line, Field: H("action"))); continue; }

                decimal? Num(int? index, string field, bool required)
                {
                    var cell = CsvFile.Cell(row, index);
                    if (CsvValues.IsBlank(cell))
                    {
                        if (required) problems.Add(new($"missing {field}", file.Name, row.Line, Field: H(field)));
                        return null;
                    }
                    var v = CsvValues.Number(cell);
                    if (v is null) problems.Add(new($"{field} '{cell}' is not a number", file.Name, row.Line, Field: H(field)));
                    return v;
                }
                var amount = Num(iAmount, "amount", false);
                var kind = rule.Kind ?? (amount >= 0 ? TransactionKind.Deposit : TransactionKind.Withdrawal);
                var trade = kind is TransactionKind.Buy or TransactionKind.Sell;
                var ticker = CsvFile.Cell(row, iTicker);
                if (trade && ticker is null) problems.Add(new($"a {kind.ToText()} needs a ticker", file.Name, row.Line, Field: H("ticker")));
                var qty = Num(iQty, "quantity", trade);
                var price = Num(iPrice, "price", trade && amount is null);
                decimal fee = 0;
                foreach (var (header, index) in feeIndexes)
                {
                    var cell = CsvFile.Cell(row, index);
                    if (CsvValues.IsBlank(cell)) continue;
                    var f = CsvValues.Number(cell);
                    if (f is null) problems.Add(new($"fee '{cell}' is not a number", file.Name, row.Line, Field: header));
                    else fee += Math.Abs(f.Value);
                }
                if (!trade && amount is null) problems.Add(new($"a {kind.ToText()} needs an amount", file.Name, row.Line, Field: H("amount")));
                if (problems.Count > before) continue;

                long q = 0, storedFee = Scaled.Money(fee), storedCash;
                long? storedPrice = price is null ? null : Scaled.RoundToStored(Math.Abs(price.Value), Scaled.PriceScale);
                if (qty is not null && trade && !Scaled.TryToStored(Math.Abs(qty.Value), Scaled.QuantityScale, out q))
                {
                    problems.Add(new($"quantity {qty} has more than {Scaled.QuantityScale} decimals", file.Name, row.Line, Field: H("quantity")));
                    continue;
                }
                if (kind == TransactionKind.Sell) q = -q;
                if (amount is not null)
                {
                    var abs = Scaled.Money(Math.Abs(amount.Value));
                    storedCash = kind switch
                    {
                        TransactionKind.Buy or TransactionKind.Withdrawal or TransactionKind.Fee => -abs,
                        TransactionKind.Dividend => Scaled.Money(amount.Value), // a negative dividend is a reversal
                        _ => abs,
                    };
                }
                else
                {
                    var notional = Scaled.Notional(Math.Abs(q), storedPrice!.Value);
                    storedCash = kind == TransactionKind.Buy ? -(notional + storedFee) : notional - storedFee;
                }
                var normalized = ticker is null ? null : NormalizeTicker(ticker);
                var id = CsvFile.Cell(row, iId);
                var content = $"{acct}|{FormatDate(date!.Value)}|{kind.ToText()}|{normalized}|{q}|{storedPrice}|{storedCash}|{storedFee}";
                rows.Add((row.Line, acct!, new TxnDraft(0, kind.ToText(), FormatDate(date.Value), null, q, storedPrice, storedCash, storedFee,
                    id is not null ? "broker:" + id : content, normalized, CsvFile.Cell(row, iLots), Memo: actionText), normalized, H("ticker")));
            }
            if (problems.Count > 0) throw new InputException(problems);

            // Identical rows in one file are distinct transactions: number their occurrences into the key.
            var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                if (r.Draft.Key.StartsWith("broker:", StringComparison.Ordinal)) continue;
                var n = occurrences[r.Draft.Key] = occurrences.GetValueOrDefault(r.Draft.Key) + 1;
                rows[i] = r with { Draft = r.Draft with { Key = "row:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{r.Draft.Key}#{n}"))) } };
            }
            // Exports often list newest first: apply oldest first, keeping the file's order within a day.
            if (rows.Count > 1 && string.CompareOrdinal(rows[0].Draft.Date, rows[^1].Draft.Date) > 0) rows.Reverse();
            var ordered = rows.OrderBy(r => r.Draft.Date, StringComparer.Ordinal).ToList();

            return Write("import transactions", scope =>
            {
                var accountLines = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var r in ordered) accountLines.TryAdd(r.Account, r.Line);
                var accountIds = ResolveAccounts(scope, accountLines, file, problems, account is null ? hAccount : "--account");
                var securities = scope.SecurityIds();
                foreach (var r in ordered)
                    if (r.Ticker is not null && !securities.ContainsKey(r.Ticker))
                        problems.Add(new($"unknown ticker '{r.Ticker}'; import prices for it first", file.Name, r.Line, Field: r.TickerField));
                if (problems.Count > 0) throw new InputException(problems.OrderBy(p => p.Line).ToList());
                var existing = scope.Ledger.ExistingKeys(accountIds.Values.ToList());
                var importId = RecordImport(scope, "transactions", file);
                int added = 0, skipped = 0;
                foreach (var r in ordered)
                {
                    var accountId = accountIds[r.Account];
                    if (!existing.Add((accountId, r.Draft.Key))) { skipped++; continue; }
                    var draft = r.Draft with { AccountId = accountId, SecurityId = r.Ticker is null ? null : securities[r.Ticker], ImportId = importId };
                    var error = scope.Ledger.Append(draft, out _);
                    if (error is not null) problems.Add(new(error, file.Name, r.Line, Field: H("quantity")));
                    else added++;
                }
                if (problems.Count > 0) throw new InputException(problems);
                return (new ImportResult(ordered.Count, added, skipped, $"{added} transactions added, {skipped} already recorded"),
                    $"imported transactions from {file.Name}: {added} added, {skipped} already recorded");
            });
        }

        private static Dictionary<string, long> ResolveAccounts(WriteScope scope, Dictionary<string, int> accountLines, CsvFile file, List<InputProblem> problems, string? field)
        {
            var ids = new Dictionary<string, long>(StringComparer.Ordinal);
            if (accountLines.Count > 2000)
            {
                foreach (var a in scope.Query("SELECT name, id FROM accounts", r => (Name: r.GetString(0), Id: r.GetInt64(1))))
                    if (accountLines.ContainsKey(a.Name)) ids[a.Name] = a.Id;
            }
            else
            {
                foreach (var chunk in accountLines.Keys.Chunk(500))
                    foreach (var a in scope.Query("SELECT name, id FROM accounts WHERE name IN @chunk", new { chunk }, r => (Name: r.GetString(0), Id: r.GetInt64(1))))
                        ids[a.Name] = a.Id;
            }
            foreach (var (name, line) in accountLines)
                if (!ids.ContainsKey(name))
                    problems.Add(new($"account '{name}' does not exist; create it first", file.Name, field == "--account" ? null : line, Field: field));
            return ids;
        }

        private static long RecordImport(WriteScope scope, string kind, CsvFile file)
        {
            var id = scope.NextId("imports");
            scope.Execute("INSERT INTO imports (id, kind, file, sha256, rows_read, at, actor) VALUES (@id, @kind, @file, @sha, @rows, @at, @actor)",
                new { id, kind, file = file.Name, sha = file.Sha256, rows = (long)file.RowCount, at = scope.Now, actor = scope.Store.Options.Actor });
            return id;
        }
    }
}
