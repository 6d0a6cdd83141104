using System.Security.Cryptography;
using System.Text;
using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store
{
    public sealed partial class BallastStore
    {
        /// <summary>
        /// Appends a broker's transactions. Each row's idempotency key is the broker's transaction id when the layout
        /// has one, else a hash of the row's content and its occurrence, so re-importing the file (or an overlapping
        /// export) appends only rows not seen before; a broker id seen before with other contents is refused as a conflict.
        /// Rows are applied oldest first. Rows dated on or before an account's positions snapshot are history: after they are
        /// recorded, an adjustment dated on the snapshot brings the ledger back to what the snapshot states, and each such
        /// adjustment is reported as a warning. Rows Ballast does not model (options, mergers, spin-offs, unknown actions and,
        /// with <paramref name="skipUnknown"/>, unknown tickers) refuse the file, listed all at once, unless
        /// <paramref name="skipUnknown"/> is given: then they are skipped and listed in the result and the import record.
        /// </summary>
        public ImportResult ImportTransactions(string path, string? account = null, ColumnMapping? mapping = null, string? displayName = null, bool skipUnknown = false)
        {
            var m = mapping ?? Layouts.BallastTransactions;
            var file = CsvFile.Read(path, m.RequiredColumns, displayName);
            var problems = new List<InputProblem>();
            string H(string field) => m.HeaderIn(file, field) ?? field;
            int? I(string field) => file.IndexOf(m.HeaderIn(file, field));
            var hAccount = m.HeaderIn(file, "account");
            int? iAccount = file.IndexOf(hAccount), iDate = I("date"), iAction = I("action"), iTicker = I("ticker"), iQty = I("quantity"),
                iPrice = I("price"), iAmount = I("amount"), iId = I("id"), iLots = I("lots");
            var feeIndexes = (m.Columns.GetValueOrDefault("fee") ?? "").Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(spec => spec.Split('|').Select(h => h.Trim()).FirstOrDefault(file.Has)).OfType<string>()
                .Select(h => (Header: h, Index: file.IndexOf(h))).ToList();
            var today = Today;
            var rows = new List<(int Line, string? Account, TxnDraft Draft, string? Ticker, string TickerField)>();
            var notModeled = new List<(int Line, string Reason)>();
            var ignored = 0;
            foreach (var row in file.Rows)
            {
                var filled = row.Fields.Count(f => f.Trim().Length > 0);
                if (filled < 2) continue; // notes, disclaimers and "Date downloaded ..." below the data
                var actionText = CsvFile.Cell(row, iAction);
                if (actionText is null || actionText.StartsWith("Transactions Total", StringComparison.OrdinalIgnoreCase)) continue;
                var dateCell = CsvFile.Cell(row, iDate);
                var date = CsvValues.Date(dateCell, m.DateFormat);
                if (date is null && filled < 3) continue; // a footer spread over two cells
                var before = problems.Count;
                var acct = account ?? CsvFile.Cell(row, iAccount);
                if (date is null) problems.Add(new($"'{dateCell}' is not a date", file.Name, row.Line, Field: H("date")));
                else if (date > today) problems.Add(new($"date {FormatDate(date.Value)} is in the future (today is {FormatDate(today)})", file.Name, row.Line, Field: H("date")));
                var rule = m.Actions.FirstOrDefault(r => r.Exact
                    ? actionText.Equals(r.Contains, StringComparison.OrdinalIgnoreCase)
                    : actionText.Contains(r.Contains, StringComparison.OrdinalIgnoreCase));
                var ticker = CsvFile.Cell(row, iTicker);
                if (rule is null) { notModeled.Add((row.Line, $"unknown action '{actionText}'")); continue; }
                if (rule.Effect == ActionEffect.NotModeled) { notModeled.Add((row.Line, $"'{actionText}'{(ticker is null ? "" : $" of {ticker}")} is not modeled")); continue; }
                if (rule.Effect == ActionEffect.Ignore) { ignored++; continue; }
                if (ticker is not null && ColumnMapping.IsOptionSymbol(ticker)) { notModeled.Add((row.Line, $"option '{ticker}' is not modeled")); continue; }
                if (acct is null)
                {
                    problems.Add(hAccount is null
                        ? new InputProblem($"no --account given and no account column ('{m.Columns.GetValueOrDefault("account") ?? "account"}') in the file", file.Name, file.HeaderLine, Field: "account")
                        : new InputProblem("missing account", file.Name, row.Line, Field: hAccount));
                    break;
                }

                decimal? Num(int? index, string field, bool required)
                {
                    var cell = CsvFile.Cell(row, index);
                    if (CsvValues.IsBlank(cell))
                    {
                        if (required) problems.Add(new($"missing {field}{(ticker is null ? "" : $" of {ticker}")}", file.Name, row.Line, Field: H(field)));
                        return null;
                    }
                    var v = CsvValues.Number(cell);
                    if (v is null) problems.Add(new($"{field} '{cell}' is not a number", file.Name, row.Line, Field: H(field)));
                    return v;
                }
                var amount = Num(iAmount, "amount", false);
                var shares = rule.Effect == ActionEffect.Shares;
                var kind = shares ? TransactionKind.Adjustment : rule.Kind ?? (amount >= 0 ? TransactionKind.Deposit : TransactionKind.Withdrawal);
                var trade = kind is TransactionKind.Buy or TransactionKind.Sell;
                if ((trade || shares) && ticker is null) { notModeled.Add((row.Line, $"'{actionText}' without a symbol (a currency exchange?) is not modeled")); continue; }
                var qty = Num(iQty, "quantity", trade || shares);
                var price = trade ? Num(iPrice, "price", amount is null) : null;
                decimal fee = 0;
                foreach (var (header, index) in feeIndexes)
                {
                    var cell = CsvFile.Cell(row, index);
                    if (CsvValues.IsBlank(cell)) continue;
                    var f = CsvValues.Number(cell);
                    if (f is null) problems.Add(new($"fee '{cell}' is not a number", file.Name, row.Line, Field: header));
                    else fee += Math.Abs(f.Value);
                }
                if (!trade && !shares && amount is null) problems.Add(new($"a {kind.ToText()} needs an amount", file.Name, row.Line, Field: H("amount")));
                if (problems.Count > before) continue;

                var normalized = ticker is null ? null : NormalizeTicker(ticker);
                var what = normalized is null ? "" : $" of {normalized}";
                long q = 0, storedCash = 0, storedFee = 0;
                long? storedPrice = null;
                string? Fail(string? error, string field)
                {
                    if (error is not null) problems.Add(new(error, file.Name, row.Line, Field: H(field)));
                    return error;
                }
                if (Fail(ScaledInput.Money(fee, "fee", out storedFee), "fee") is not null) continue;
                if (price is not null && Fail(ScaledInput.Price(Math.Abs(price.Value), "price" + what, out var p), "price") is null) storedPrice = p;
                if (problems.Count > before) continue;
                if (qty is not null && (trade || shares))
                {
                    if (Fail(ScaledInput.Exact(trade ? Math.Abs(qty.Value) : qty.Value, Scaled.QuantityScale, "quantity" + what, out q), "quantity") is not null) continue;
                    if (q == 0) { problems.Add(new($"a {(shares ? "share movement" : kind.ToText())}{what} needs a quantity other than 0", file.Name, row.Line, Field: H("quantity"))); continue; }
                }
                if (kind == TransactionKind.Sell) q = -q;
                if (shares) { }
                else if (amount is not null)
                {
                    if (Fail(ScaledInput.Money(Math.Abs(amount.Value), "amount" + what, out var abs), "amount") is not null) continue;
                    storedCash = kind switch
                    {
                        TransactionKind.Buy or TransactionKind.Withdrawal or TransactionKind.Fee => -abs,
                        TransactionKind.Dividend => amount < 0 ? -abs : abs, // a negative dividend is a reversal
                        _ => abs,
                    };
                }
                else
                {
                    var notional = Scaled.Quantity(Math.Abs(q)) * Scaled.Price(storedPrice!.Value) + (kind == TransactionKind.Buy ? Scaled.Money(storedFee) : -Scaled.Money(storedFee));
                    if (Fail(ScaledInput.Money(notional, "amount" + what, out var cashAbs), "quantity") is not null) continue;
                    storedCash = kind == TransactionKind.Buy ? -cashAbs : cashAbs;
                }
                if (!trade && !shares && storedCash == 0) { ignored++; continue; } // a cash movement of 0 changes nothing
                var id = CsvFile.Cell(row, iId);
                var content = $"{acct}|{FormatDate(date!.Value)}|{kind.ToText()}|{normalized}|{q}|{storedPrice}|{storedCash}|{storedFee}";
                rows.Add((row.Line, acct, new TxnDraft(0, kind.ToText(), FormatDate(date.Value), null, q, storedPrice, storedCash, storedFee,
                    id is not null ? "broker:" + id : content, normalized, CsvFile.Cell(row, iLots), Memo: actionText), normalized, H("ticker")));
            }
            if (account is not null && iAccount is not null)
            {
                var inFile = file.Rows.Select(r => CsvFile.Cell(r, iAccount)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                if (inFile.Count > 1)
                    throw new InputException(new InputProblem(
                        $"the file holds {inFile.Count} accounts ({string.Join(", ", inFile.Take(5))}{(inFile.Count > 5 ? ", ..." : "")}); --account would merge them into one. " +
                        "Leave --account out: rows go to the accounts named so or mapped by broker account number (the broker_account column of an accounts import)",
                        file.Name, Field: "--account"));
            }
            if (notModeled.Count > 0 && !skipUnknown)
                problems.AddRange(notModeled.Select(n => new InputProblem(n.Reason + "; --skip-unknown skips such rows", file.Name, n.Line, Field: H("action"))));
            if (problems.Count > 0) throw new InputException(problems.OrderBy(p => p.Line).ToList());

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

            return WriteImport("import transactions", scope =>
            {
                var accountLines = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var r in ordered) accountLines.TryAdd(r.Account!, r.Line);
                var accountIds = ResolveAccounts(scope, accountLines, file, problems, account is null ? hAccount ?? "account" : "--account");
                var securities = scope.SecurityIds();
                var skipped = notModeled.ToList();
                var kept = new List<(int Line, string? Account, TxnDraft Draft, string? Ticker, string TickerField)>();
                foreach (var r in ordered)
                {
                    if (r.Ticker is null || securities.ContainsKey(r.Ticker)) { kept.Add(r); continue; }
                    if (r.Draft.Quantity == 0) { kept.Add(r with { Ticker = null, Draft = r.Draft with { Ticker = null, Memo = $"{r.Draft.Memo} [{r.Ticker}]" } }); continue; } // income or a charge: the symbol is only a note

                    if (skipUnknown) skipped.Add((r.Line, $"unknown ticker '{r.Ticker}'"));
                    else problems.Add(new($"unknown ticker '{r.Ticker}'; import prices for it first, or use --skip-unknown", file.Name, r.Line, Field: r.TickerField));
                }
                if (problems.Count > 0) throw new InputException(problems.OrderBy(p => p.Line).ToList());
                var ids = accountIds.Values.Distinct().ToList();
                var existing = ExistingBrokerRows(scope, ids);
                var existingKeys = scope.Ledger.ExistingKeys(ids);
                var history = new Import.History(scope, ids, kept.Select(r => (accountIds[r.Account!], r.Draft.Date)));
                var importId = scope.NextId("imports");
                int added = 0, already = 0;
                var tickers = securities.ToDictionary(s => s.Value, s => s.Key);
                // Broker ids seen earlier in this file: the same id twice is one transaction, and with other contents a conflict.
                var inFile = new Dictionary<(long, string), (string Content, int Line)>();
                foreach (var r in kept)
                {
                    var accountId = accountIds[r.Account!];
                    var draft = r.Draft with { AccountId = accountId, SecurityId = r.Ticker is null ? null : securities[r.Ticker], ImportId = importId };
                    var isBroker = draft.Key.StartsWith("broker:", StringComparison.Ordinal);
                    if (isBroker && inFile.TryGetValue((accountId, draft.Key), out var earlier))
                    {
                        if (earlier.Content != Content(draft))
                            problems.Add(new($"transaction id '{draft.Key["broker:".Length..]}' is also on line {earlier.Line} with other contents ({Describe(earlier.Content, tickers)}; " +
                                             $"this line says {Describe(Content(draft), tickers)}); each transaction needs its own id", file.Name, r.Line, Field: H("id")));
                        already++;
                        continue;
                    }
                    if (isBroker) inFile[(accountId, draft.Key)] = (Content(draft), r.Line);
                    if (!existingKeys.Add((accountId, draft.Key)))
                    {
                        if (existing.TryGetValue((accountId, draft.Key), out var old) && old != Content(draft))
                            problems.Add(new($"transaction id '{draft.Key["broker:".Length..]}' was imported before with other contents ({Describe(old, tickers)}; " +
                                             $"this file says {Describe(Content(draft), tickers)}); a changed transaction needs a new id", file.Name, r.Line, Field: H("id")));
                        already++;
                        continue;
                    }
                    var error = scope.Ledger.Append(draft, out _);
                    if (error is not null) problems.Add(new(error, file.Name, r.Line, Field: H("quantity")));
                    else { added++; history.Added(draft); }
                }
                if (problems.Count > 0) throw new InputException(problems);
                var warnings = history.Reconcile(tickers, importId, problems);
                if (problems.Count > 0) throw new InputException(problems.Select(p => p with { File = file.Name }).ToList());
                var notes = skipped.OrderBy(s => s.Line).Select(s => $"skipped line {s.Line}: {s.Reason}").Concat(warnings.Select(w => "warning: " + w)).ToList();
                var summary = $"{added} transactions added, {already} already recorded" + (skipped.Count > 0 ? $", {skipped.Count} rows skipped" : "") +
                              (ignored > 0 ? $", {ignored} rows without effect ignored" : "") + (warnings.Count > 0 ? $", {warnings.Count} reconciling adjustments" : "");
                var result = new ImportResult(ordered.Count, added, already, summary, notes);
                if (added == 0) throw new Unchanged(result);
                scope.Execute("INSERT INTO imports (id, kind, file, sha256, rows_read, at, actor, tenant_id) VALUES (@id, @kind, @file, @sha, @rows, @at, @actor, @tenant)",
                    new { id = importId, kind = "transactions", file = file.Name, sha = file.Sha256, rows = (long)file.RowCount, at = scope.Now, actor = scope.Store.Options.Actor, tenant = scope.Tenant });
                RecordSkipped(scope, importId, skipped);
                return (result, $"imported transactions from {file.Name}: {summary}");
            });
        }

        private static string Content(TxnDraft d) => $"{d.Kind}|{d.Date}|{d.SecurityId}|{d.Quantity}|{d.Price}|{d.Cash}|{d.Fee}";

        private static string Describe(string content, Dictionary<long, string> tickers)
        {
            var p = content.Split('|');
            var ticker = p[2].Length > 0 && long.TryParse(p[2], out var sid) ? " " + tickers.GetValueOrDefault(sid, "?") : "";
            var qty = long.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture);
            var cash = long.Parse(p[5], System.Globalization.CultureInfo.InvariantCulture);
            return $"{p[0]} on {p[1]}{ticker}{(qty != 0 ? $" {Scaled.Format(Scaled.Quantity(qty))} shares" : "")}, cash {Scaled.Format(Scaled.Money(cash))}";
        }

        /// <summary>Contents of the rows already recorded under broker transaction ids, for the conflict check.</summary>
        private static Dictionary<(long, string), string> ExistingBrokerRows(WriteScope scope, IReadOnlyCollection<long> accountIds)
        {
            var rows = new Dictionary<(long, string), string>();
            foreach (var chunk in accountIds.Chunk(500))
                foreach (var r in scope.Query(
                             "SELECT account_id, idempotency_key, kind, trade_date, security_id, quantity, price, cash, fee FROM transactions WHERE account_id IN @chunk AND idempotency_key LIKE 'broker:%'",
                             new { chunk }, r => (AccountId: r.GetInt64(0), Key: r.GetString(1), Kind: r.GetString(2), Date: r.GetString(3), SecurityId: r.LongOrNull(4),
                                 Quantity: r.GetInt64(5), Price: r.LongOrNull(6), Cash: r.GetInt64(7), Fee: r.GetInt64(8))))
                    rows[(r.AccountId, r.Key)] = $"{r.Kind}|{r.Date}|{r.SecurityId}|{r.Quantity}|{r.Price}|{r.Cash}|{r.Fee}";
            return rows;
        }
    }
}
