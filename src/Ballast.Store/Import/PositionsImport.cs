using System.Globalization;
using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store
{
    public sealed partial class BallastStore
    {
        private sealed record PositionRow(int Line, string? FileAccount, string Ticker, bool IsCash, long Quantity, long? Cost, long? Price);

        /// <summary>
        /// Records a broker's positions at the start of <paramref name="asOf"/> (a snapshot) and brings the ledger to them: adjustment
        /// transactions dated <paramref name="asOf"/> for the differences between the file and the ledger's holdings (and cash,
        /// when the file has a cash row) after every transaction dated before it. Later snapshots are reconciled to it (see
        /// <see cref="Import.History"/>). Positions not in the file are closed. Prices the file shows are recorded for
        /// that date when the store has none, and the cost basis it shows goes into the lots it opens. Rows of several accounts
        /// are routed by the account column (or the account sections of an all-accounts export) to accounts named so or mapped
        /// by broker account number; <paramref name="account"/> is refused on such a file. Importing the same positions again
        /// changes nothing and records nothing.
        /// </summary>
        /// <param name="account">Account every row belongs to; null when the file names its accounts.</param>
        /// <param name="asOf">Date of the snapshot; defaults to today by the store's clock.</param>
        /// <param name="skipUnknown">Skip (and list) rows Ballast does not model, such as options and unknown tickers without a price, instead of refusing the file.</param>
        public ImportResult ImportPositions(string path, string? account = null, ColumnMapping? mapping = null, DateOnly? asOf = null, string? displayName = null,
            bool skipUnknown = false)
        {
            try
            {
                return ImportPositions(path, account, mapping, asOf, displayName, skipUnknown, BatchAccounts);
            }
            catch (NotGrouped)
            {
                // An account's rows are spread over the file: read it in one batch (all its accounts in memory), as before streaming.
                return ImportPositions(path, account, mapping, asOf, displayName, skipUnknown, int.MaxValue);
            }
        }

        private static readonly string[] SnapshotColumns = ["import_id", "account_id", "date", "security_id", "quantity"];

        /// <summary>Accounts per batch of a streaming positions import (kept under the ledger's load-everything threshold).</summary>
        private const int BatchAccounts = 2000;

        /// <summary>Thrown when an account's rows come back after its batch was written: the import starts again in one batch.</summary>
        private sealed class NotGrouped() : Exception("an account's rows are not together");

        private ImportResult ImportPositions(string path, string? account, ColumnMapping? mapping, DateOnly? asOf, string? displayName, bool skipUnknown, int batchAccounts)
        {
            var m = mapping ?? Layouts.BallastPositions;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var file = CsvFile.Open(path, m.RequiredColumns, displayName);
            var problems = new List<InputProblem>();
            var hTicker = m.HeaderIn(file, "ticker")!;
            var hQty = m.HeaderIn(file, "quantity");
            var hCost = m.HeaderIn(file, "cost_basis");
            var hValue = m.HeaderIn(file, "market_value");
            var hPrice = m.HeaderIn(file, "price");
            var hAccount = m.HeaderIn(file, "account");
            if (hQty is null)
                throw new InputException(new InputProblem($"missing column '{m.Columns["quantity"].Split('|')[0]}' in the header", file.Name, file.HeaderLine, Field: m.Columns["quantity"].Split('|')[0]));
            int iTicker = file.IndexOf(hTicker)!.Value;
            int? iQty = file.IndexOf(hQty), iCost = file.IndexOf(hCost), iValue = file.IndexOf(hValue), iPrice = file.IndexOf(hPrice), iAccount = file.IndexOf(hAccount);
            var date = asOf ?? Today;
            if (date > Today) problems.Add(new($"as-of date {FormatDate(date)} is in the future", file.Name, Field: "--as-of"));

            var header = file.Header.Select(h => h.Trim()).ToArray();
            bool IsHeader(CsvRow? r)
            {
                if (r is null || r.Fields.Length != header.Length) return false;
                for (var k = 0; k < header.Length; k++)
                    if (!r.Fields[k].AsSpan().Trim().SequenceEqual(header[k])) return false;
                return true;
            }
            var notModeled = new List<(int Line, string Reason)>();
            // "Individual   XXXX-1234": an account title whose last word is an account number (digits, letters, '-', '.').
            static string? SectionTitle(CsvRow? row)
            {
                if (row is null || row.Fields.Count(f => f.Trim().Length > 0) != 1 || row.Fields[0].Trim().Length == 0) return null;
                var last = row.Fields[0].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
                return last.Any(char.IsAsciiDigit) && last.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') ? last : null;
            }
            var section = SectionTitle(file.LineAboveHeader);

            // One row of the file as a position, or null (with its problem added) when it is not one.
            PositionRow? Read(CsvRow row)
            {
                var ticker = CsvFile.Cell(row, iTicker);
                if (ticker is null)
                {
                    if (!CsvValues.IsBlank(CsvFile.Cell(row, iQty))) problems.Add(new("missing ticker", file.Name, row.Line, Field: hTicker));
                    return null;
                }
                if (m.IsSkipped(ticker)) return null;
                var fileAccount = CsvFile.Cell(row, iAccount) ?? section;
                if (m.IsCash(ticker))
                {
                    var cell = CsvFile.Cell(row, iValue) ?? CsvFile.Cell(row, iQty);
                    var amount = CsvValues.Number(cell);
                    if (amount is null) { problems.Add(new($"cash '{cell}' is not an amount", file.Name, row.Line, Field: hValue ?? hQty)); return null; }
                    var error = ScaledInput.Exact(amount.Value, Scaled.MoneyScale, "cash", out var stored);
                    if (error is not null) { problems.Add(new(error, file.Name, row.Line, Field: hValue ?? hQty)); return null; }
                    return new PositionRow(row.Line, fileAccount, ticker, true, stored, null, null);
                }
                if (ColumnMapping.IsOptionSymbol(ticker)) { notModeled.Add((row.Line, $"option position '{ticker}' is not modeled")); return null; }
                var qtyCell = CsvFile.Cell(row, iQty);
                var qty = CsvValues.Number(qtyCell);
                if (qty is null) { problems.Add(new($"quantity '{qtyCell}' of {ticker} is not a number", file.Name, row.Line, Field: hQty)); return null; }
                if (qty < 0) { problems.Add(new($"quantity {qty} of {ticker} is negative; short positions are not supported", file.Name, row.Line, Field: hQty)); return null; }
                var qtyError = ScaledInput.Exact(qty.Value, Scaled.QuantityScale, $"quantity of {NormalizeTicker(ticker)}", out var q);
                if (qtyError is not null) { problems.Add(new(qtyError, file.Name, row.Line, Field: hQty)); return null; }
                long? cost = null;
                var costCell = CsvFile.Cell(row, iCost);
                if (!CsvValues.IsBlank(costCell))
                {
                    var c = CsvValues.Number(costCell);
                    if (c is null) { problems.Add(new($"cost basis '{costCell}' of {ticker} is not a number", file.Name, row.Line, Field: hCost)); return null; }
                    var costError = ScaledInput.Money(c.Value, $"cost basis of {NormalizeTicker(ticker)}", out var storedCost);
                    if (costError is not null) { problems.Add(new(costError, file.Name, row.Line, Field: hCost)); return null; }
                    cost = storedCost;
                }
                long? price = null;
                var priceCell = CsvFile.Cell(row, iPrice);
                var shownPrice = CsvValues.IsBlank(priceCell) ? null : CsvValues.Number(priceCell);
                var value = CsvValues.IsBlank(CsvFile.Cell(row, iValue)) ? null : CsvValues.Number(CsvFile.Cell(row, iValue));
                shownPrice ??= value is { } v && qty > 0 ? v / qty.Value : null;
                if (shownPrice is > 0)
                {
                    var priceError = ScaledInput.Price(shownPrice.Value, $"price of {NormalizeTicker(ticker)}", out var storedPrice);
                    if (priceError is not null) { problems.Add(new(priceError, file.Name, row.Line, Field: hPrice ?? hValue)); return null; }
                    price = storedPrice;
                }
                return new PositionRow(row.Line, fileAccount, NormalizeTicker(ticker), false, q, cost, price);
            }

            // The file is read once, row by row, inside the write: the rows of a batch of accounts are summed, written, and
            // dropped. A problem stops the writing (the transaction rolls back at the end) but not the reading, so every
            // problem of the file is reported, as before.
            return WriteImport("import positions", scope =>
            {
                var importId = scope.NextId("imports"); // recorded at the end, when the rows are counted
                var boxedImportId = (object)importId;
                // Each batch's rows are held until the next batch has read its accounts, then written behind while it computes: its
                // queries are of its own accounts only, which no earlier batch writes (an account met again restarts the import).
                scope.HoldWrites();
                var dateText = FormatDate(date);
                var securities = scope.SecurityIds();
                var tickers = securities.ToDictionary(s => s.Value, s => s.Key);
                var skipped = new List<(int Line, string Reason)>();
                var sumProblems = new List<InputProblem>();
                var writeProblems = new List<InputProblem>();
                var reconcileProblems = new List<InputProblem>();
                var warnings = new List<string>();
                var prices = new Dictionary<long, long>();
                // Accounts whose rows were read, to find a file not grouped by account: a 64-bit hash of each name, not the name, so a
                // million accounts cost 20 MB, not 80. Two names with one hash (about one chance in 10^7 at a million) only make
                // the import start again in one batch, never a wrong result.
                var seen = new HashSet<ulong>();
                var keyPrefix = $"positions:{file.Sha256[..16]}:";
                var fileAccounts = new List<string>(); // with --account: the file's own account names, in order
                var fileAccountSet = new HashSet<string>(StringComparer.Ordinal);
                PositionRow? orphan = null;
                int read = 0, added = 0, accountCount = 0;
                var same = true; // every account so far already has this very snapshot (a re-import that changes nothing)
                var positions = new Dictionary<string, Dictionary<string, (long Quantity, long? Cost, long? Price, int Line)>>(StringComparer.Ordinal);
                var cash = new Dictionary<string, long>(StringComparer.Ordinal);
                var accountLines = new Dictionary<string, int>(StringComparer.Ordinal);
                var snapshot = new List<object?[]>();
                string? current = null;

                bool Refused() => problems.Count > 0 || sumProblems.Count > 0 || orphan is not null || fileAccountSet.Count > 1 || (notModeled.Count > 0 && !skipUnknown);

                void Batch()
                {
                    if (positions.Count == 0) return;
                    accountCount += positions.Count;
                    try
                    {
                        if (!Refused()) WriteBatch();
                    }
                    finally
                    {
                        positions.Clear();
                        cash.Clear();
                        accountLines.Clear();
                    }
                    scope.Store.Options.Steps?.Invoke("positions", file.BytesRead, file.Length);
                }

                void WriteBatch()
                {
                    var accountIds = ResolveAccounts(scope, accountLines, file, writeProblems, account is null ? hAccount ?? "account" : "--account");
                    foreach (var (acct, held) in positions)
                    {
                        List<string>? unknown = null;
                        foreach (var ticker in held.Keys)
                            if (!securities.ContainsKey(ticker)) (unknown ??= []).Add(ticker);
                        foreach (var ticker in unknown ?? [])
                        {
                            var p = held[ticker];
                            if (p.Price is not null) tickers[securities[ticker] = SecurityId(scope, ticker)] = ticker; // the export brings its price
                            else if (skipUnknown) { skipped.Add((p.Line, $"unknown ticker '{ticker}' without a price")); held.Remove(ticker); }
                            else writeProblems.Add(new($"unknown ticker '{ticker}'; import prices for it first, or use --skip-unknown", file.Name, p.Line, Field: hTicker));
                        }
                    }
                    if (writeProblems.Count > 0) return;
                    var ids = accountIds.Values.Distinct().ToList();
                    var ledger = scope.Ledger;
                    ledger.Load(ids);
                    var after = LedgerAfter(scope, ids, dateText);
                    // Snapshots dated after this one must still hold: an opening snapshot imported late reconciles them.
                    var later = new Import.History(scope, ids, ids.Select(a => (a, dateText)));
                    // This batch's reads are done: the previous batch's rows are written on another thread while this one's are computed.
                    scope.StartHeldWrites();
                    snapshot.Clear();
                    var checkOrder = new List<long>();
                    // Reused for each account (a batch has thousands): the file's positions by security, and the ledger's as of the date.
                    var target = new Dictionary<long, (long Quantity, long? Cost, long? Price, int Line)>();
                    var asOfHoldings = new Dictionary<long, long>();
                    var addedBefore = added;
                    foreach (var (acct, held) in positions)
                    {
                        var accountId = accountIds[acct];
                        var state = ledger.State(accountId);
                        var changesAfter = after.GetValueOrDefault(accountId);
                        target.Clear();
                        foreach (var (ticker, p) in held) target.Add(securities[ticker], p);
                        asOfHoldings.Clear();
                        foreach (var (sec, q) in state.Holdings)
                            if (q != 0) asOfHoldings.Add(sec, q);
                        if (changesAfter is not null)
                            foreach (var (sec, q) in changesAfter.Holdings) asOfHoldings[sec] = asOfHoldings.GetValueOrDefault(sec) - q;
                        checkOrder.Clear(); // the securities of the file and of the ledger, in id order
                        checkOrder.AddRange(target.Keys);
                        foreach (var (sec, q) in asOfHoldings)
                            if (q != 0 && !target.ContainsKey(sec)) checkOrder.Add(sec);
                        checkOrder.Sort();
                        foreach (var security in checkOrder)
                        {
                            var want = target.TryGetValue(security, out var t) ? t : (0, null, null, 0);
                            var delta = want.Quantity - asOfHoldings.GetValueOrDefault(security);
                            if (delta == 0) continue;
                            long? price = null;
                            if (want.Cost is { } cost && want.Quantity > 0)
                            {
                                // The basis per share must be a price the store can keep (a large basis on a sliver of a share is not).
                                try { price = Scaled.RoundToStored(Scaled.Money(cost) / Scaled.Quantity(want.Quantity), Scaled.PriceScale); }
                                catch (OverflowException)
                                {
                                    writeProblems.Add(new($"the cost basis per share of {tickers.GetValueOrDefault(security, "?")} ({Scaled.Format(Scaled.Money(cost))} for " +
                                                          $"{Scaled.Format(Scaled.Quantity(want.Quantity))} shares) is too large a price for the store", file.Name, want.Line == 0 ? null : want.Line, Field: hCost));
                                    continue;
                                }
                            }
                            // The basis of the shares the snapshot adds: the file's total basis, in proportion when only some are new.
                            long? lotCost = delta > 0 && want.Cost is { } total && want.Quantity > 0
                                ? (delta == want.Quantity ? total : (long)decimal.Round((decimal)total * delta / want.Quantity, 0, MidpointRounding.AwayFromZero)) : null;
                            var id = scope.NextId("transactions"); // peek for a unique key; Append allocates the next
                            var draft = new TxnDraft(accountId, "adjustment", dateText, security, delta, price, 0, 0,
                                keyPrefix + id.ToString(CultureInfo.InvariantCulture), Ticker: tickers[security], ImportId: importId, Memo: "positions import", Cost: lotCost);
                            var error = ledger.Append(draft, out _);
                            if (error is not null) writeProblems.Add(new(error, file.Name, want.Line == 0 ? null : want.Line, Field: hQty));
                            else later.Added(draft);
                            added++;
                        }
                        foreach (var (security, p) in target) Snapshot([boxedImportId, state.BoxedId, dateText, Boxed.Of(security), p.Quantity]);
                        if (cash.TryGetValue(acct, out var wantCash))
                        {
                            Snapshot([boxedImportId, state.BoxedId, dateText, null, wantCash]);
                            var asOfCash = state.Cash - (changesAfter?.Cash ?? 0);
                            if (wantCash != asOfCash)
                            {
                                var id = scope.NextId("transactions");
                                var draft = new TxnDraft(accountId, "adjustment", dateText, null, 0, null, wantCash - asOfCash, 0,
                                    keyPrefix + id.ToString(CultureInfo.InvariantCulture), ImportId: importId, Memo: "positions import: cash");
                                var error = ledger.Append(draft, out _);
                                if (error is not null) writeProblems.Add(new(error, file.Name, accountLines[acct], Field: hValue ?? hQty));
                                else later.Added(draft);
                                added++;
                            }
                        }
                    }
                    if (writeProblems.Count > 0) return;
                    var reconciled = later.Reconcile(tickers, importId, reconcileProblems);
                    warnings.AddRange(reconciled);
                    added += reconciled.Count;
                    foreach (var held in positions.Values)
                        foreach (var (ticker, p) in held)
                            if (p.Price is { } shown) prices.TryAdd(securities[ticker], shown);
                    // A re-import that changes nothing records nothing: checked before this batch's snapshot rows are written.
                    if (same) same = added == 0 && addedBefore == 0 && SameSnapshot(scope, ids, dateText, snapshot);
                    scope.Insert("position_snapshots", SnapshotColumns, snapshot);
                    snapshot.Clear();
                    ledger.FlushAndForget();
                }

                // A snapshot row; written in slices, unless every account so far has this very snapshot (the batch's rows are compared first).
                void Snapshot(object?[] row)
                {
                    snapshot.Add(row);
                    if (same || snapshot.Count < WriteScope.SliceRows) return;
                    scope.Insert("position_snapshots", SnapshotColumns, snapshot);
                    snapshot.Clear();
                }

                void Add(PositionRow r)
                {
                    read++;
                    if (account is not null && r.FileAccount is { } named && fileAccountSet.Add(named)) fileAccounts.Add(named);
                    var acct = account ?? r.FileAccount;
                    if (acct is null) { orphan ??= r; return; }
                    if (acct != current)
                    {
                        if (!positions.ContainsKey(acct))
                        {
                            if (!seen.Add(NameHash(acct))) throw new NotGrouped();
                            if (positions.Count >= batchAccounts) Batch();
                        }
                        current = acct;
                    }
                    accountLines.TryAdd(acct, r.Line);
                    if (!positions.TryGetValue(acct, out var held))
                        positions[acct] = held = new(16, StringComparer.Ordinal); // sized for a typical account's positions: grown once, not three times
                    // Repeated rows of an account (several lots of one ticker) are summed, checked against the scaled range.
                    if (r.IsCash)
                    {
                        if (!ScaledInput.TryAdd(cash.GetValueOrDefault(acct), r.Quantity, out var sum))
                            sumProblems.Add(new($"the cash rows of account '{acct}' add up past the largest amount the store can hold", file.Name, r.Line, Field: hValue ?? hQty));
                        cash[acct] = sum;
                        return;
                    }
                    var before = held.GetValueOrDefault(r.Ticker, (0, null, null, r.Line));
                    if (!ScaledInput.TryAdd(before.Quantity, r.Quantity, out var quantity))
                    {
                        sumProblems.Add(new($"the quantities of {r.Ticker} in account '{acct}' add up past the largest quantity the store can hold", file.Name, r.Line, Field: hQty));
                        return;
                    }
                    long? cost = before.Cost;
                    if (r.Cost is { } c)
                    {
                        if (!ScaledInput.TryAdd(cost ?? 0, c, out var total))
                        {
                            sumProblems.Add(new($"the cost basis of {r.Ticker} in account '{acct}' adds up past the largest amount the store can hold", file.Name, r.Line, Field: hCost));
                            return;
                        }
                        cost = total;
                    }
                    held[r.Ticker] = (quantity, cost, before.Price ?? r.Price, before.Line);
                }

                using (var rows = file.Stream().GetEnumerator())
                {
                    var next = rows.MoveNext() ? rows.Current : null;
                    CsvRow? row = null;
                    var n = 0;
                    while (next is not null)
                    {
                        var previous = row;
                        row = next;
                        next = rows.MoveNext() ? rows.Current : null;
                        if (++n % 50_000 == 0) scope.Store.Options.Steps?.Invoke("positions", file.BytesRead, file.Length);
                        if (IsHeader(row)) continue; // the header repeated above each account's section
                        var filled = 0;
                        foreach (var f in row.Fields) if (!f.AsSpan().IsWhiteSpace()) filled++;
                        if (filled == 1 && IsHeader(next) && SectionTitle(row) is { } title)
                        {
                            section = title; // an all-accounts export's next section
                            continue;
                        }
                        if (filled < 2) continue; // titles, notes and footers such as "Date downloaded ..."
                        // After a blank line, a row of text only (no amounts, no dates) is the header of another table, such as the
                        // transactions below a Vanguard download's holdings: the positions end there.
                        if (previous is not null && row.Line > previous.Line + 1 && filled >= 3 &&
                            row.Fields.All(f => f.Trim().Length == 0 || (CsvValues.Number(f) is null && CsvValues.Date(f) is null && !CsvValues.IsBlank(f.Trim()))))
                        {
                            while (rows.MoveNext()) { } // counted for the import's record
                            break;
                        }
                        if (Read(row) is { } position) Add(position);
                    }
                }
                Batch();
                WriteScope.TraceLine($"read and wrote {read} rows", clock);

                if (account is not null && fileAccounts.Count > 1)
                    throw new InputException(new InputProblem(
                        $"the file holds {fileAccounts.Count} accounts ({string.Join(", ", fileAccounts.Take(5))}{(fileAccounts.Count > 5 ? ", ..." : "")}); --account would merge them into one. " +
                        "Leave --account out: rows go to the accounts named so or mapped by broker account number (the broker_account column of an accounts import)",
                        file.Name, Field: "--account"));
                if (orphan is not null)
                    problems.Add(hAccount is null
                        ? new InputProblem($"no --account given and no account column ('{m.Columns.GetValueOrDefault("account") ?? "account"}') in the file", file.Name, file.HeaderLine, Field: "account")
                        : new InputProblem("missing account", file.Name, orphan.Line, Field: hAccount));
                if (notModeled.Count > 0 && !skipUnknown)
                    problems.AddRange(notModeled.Select(n => new InputProblem(n.Reason + "; --skip-unknown skips such rows", file.Name, n.Line, Field: hTicker)));
                if (problems.Count > 0) throw new InputException(problems);
                if (sumProblems.Count > 0) throw new InputException(sumProblems);
                if (writeProblems.Count > 0) throw new InputException(writeProblems);
                if (reconcileProblems.Count > 0) throw new InputException(reconcileProblems.Select(p => p with { File = file.Name }).ToList());
                skipped.InsertRange(0, notModeled);
                var priceCount = NewPrices(scope, prices, dateText);
                var notes = skipped.OrderBy(s => s.Line).Select(s => $"skipped line {s.Line}: {s.Reason}").Concat(warnings.Select(w => "warning: " + w)).ToList();
                var summary = $"{added} adjustments for {accountCount} accounts" + (priceCount > 0 ? $", {priceCount} prices of {dateText} from the file" : "") +
                              (skipped.Count > 0 ? $", {skipped.Count} rows skipped" : "");
                var result = new ImportResult(read, added, read - Math.Min(read, added), summary, notes);
                if (added == 0 && priceCount == 0 && same) throw new Unchanged(result);
                RecordImport(scope, "positions", file, importId);
                RecordSkipped(scope, importId, skipped);
                WriteScope.TraceLine("applied", clock);
                return (result, $"imported positions from {file.Name}: {read} rows, {summary}");
            });
        }

        /// <summary>FNV-1a, 64 bits, over a name's UTF-16 code units: stable, and cheap enough for every account of a file.</summary>
        private static ulong NameHash(string name)
        {
            var hash = 14695981039346656037UL;
            foreach (var c in name)
            {
                hash = (hash ^ (byte)c) * 1099511628211UL;
                hash = (hash ^ (byte)(c >> 8)) * 1099511628211UL;
            }
            return hash;
        }

        /// <summary>Holdings and cash changes of the ledger dated after a date, per account (only accounts that have any).</summary>
        private sealed record LaterChanges(Dictionary<long, long> Holdings, long Cash);

        private static Dictionary<long, LaterChanges> LedgerAfter(WriteScope scope, IReadOnlyCollection<long> accountIds, string date)
        {
            var result = new Dictionary<long, LaterChanges>();
            foreach (var chunk in accountIds.Chunk(500))
            {
                foreach (var r in scope.Query(
                             $"SELECT account_id, security_id, SUM(quantity), SUM(cash) FROM transactions WHERE account_id IN @chunk AND {Import.History.NotBefore} GROUP BY account_id, security_id",
                             new { chunk, date }, r => (AccountId: r.GetInt64(0), SecurityId: r.LongOrNull(1), Quantity: Import.History.Sum(r, 2), Cash: Import.History.Sum(r, 3))))
                {
                    if (!result.TryGetValue(r.AccountId, out var c)) result[r.AccountId] = c = new LaterChanges([], 0);
                    if (r.SecurityId is { } sec) c.Holdings[sec] = r.Quantity;
                    result[r.AccountId] = c with { Cash = c.Cash + r.Cash };
                }
            }
            return result;
        }

        /// <summary>Writes the prices a positions export shows for securities the store has no price for on that date; returns how many.</summary>
        private static int NewPrices(WriteScope scope, Dictionary<long, long> prices, string date)
        {
            if (prices.Count == 0) return 0;
            var existing = new HashSet<long>();
            foreach (var chunk in prices.Keys.Chunk(500))
                foreach (var id in scope.Query("SELECT security_id FROM prices WHERE date = @date AND security_id IN @chunk", new { date, chunk }, r => r.GetInt64(0)))
                    existing.Add(id);
            var rows = prices.Where(p => !existing.Contains(p.Key)).Select(p => new object?[] { p.Key, date, p.Value }).ToList();
            scope.Upsert("prices", ["security_id", "date", "close"], 2, rows);
            return rows.Count;
        }

        /// <summary>True when every account already has a snapshot on that date stating exactly these rows.</summary>
        private static bool SameSnapshot(WriteScope scope, IReadOnlyCollection<long> accountIds, string date, List<object?[]> snapshot)
        {
            var wanted = snapshot.GroupBy(r => (long)r[1]!).ToDictionary(g => g.Key, g => g.Select(r => ((long?)r[3], (long)r[4]!)).ToHashSet());
            var stored = new Dictionary<long, (long ImportId, HashSet<(long?, long)> Rows)>();
            foreach (var chunk in accountIds.Chunk(500))
                foreach (var r in scope.Query(
                             "SELECT import_id, account_id, security_id, quantity FROM position_snapshots WHERE date = @date AND account_id IN @chunk", new { date, chunk },
                             r => (ImportId: r.GetInt64(0), AccountId: r.GetInt64(1), SecurityId: r.LongOrNull(2), Quantity: r.GetInt64(3))))
                {
                    if (!stored.TryGetValue(r.AccountId, out var s) || r.ImportId > s.ImportId) stored[r.AccountId] = s = (r.ImportId, []);
                    if (r.ImportId == s.ImportId) s.Rows.Add((r.SecurityId, r.Quantity));
                }
            return accountIds.All(a => stored.TryGetValue(a, out var s) && s.Rows.SetEquals(wanted.GetValueOrDefault(a) ?? []));
        }
    }
}
