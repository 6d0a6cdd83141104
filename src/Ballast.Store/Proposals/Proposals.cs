using System.Globalization;
using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>Direction of an order or fill.</summary>
    public enum OrderSide
    {
        Buy,
        Sell,
    }

    /// <summary>Text forms of <see cref="OrderSide"/>.</summary>
    public static class OrderSides
    {
        /// <summary><c>buy</c> or <c>sell</c>, as the store, the documents and the command line write it.</summary>
        public static string ToText(this OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";
    }

    /// <summary>One order of a proposal.</summary>
    /// <param name="Quantity">Shares, positive for both sides.</param>
    /// <param name="Price">Price per share the plan assumed, or null.</param>
    public sealed record ProposedOrder(string Account, string Ticker, OrderSide Side, decimal Quantity, decimal? Price = null);

    /// <summary>A plan to record (<c>ballast plan --save</c>).</summary>
    /// <param name="Scope">What was planned, e.g. <c>account joint</c>, <c>household smith</c>, <c>all</c>.</param>
    /// <param name="EngineVersion">Version of the engine that made the plan.</param>
    /// <param name="Policy">Policy text the plan followed.</param>
    /// <param name="InputsJson">The inputs the engine saw, serialized by the engine.</param>
    /// <param name="PlanJson">The plan, serialized by the engine.</param>
    public sealed record NewProposal(string Scope, string EngineVersion, string? Policy, string InputsJson, string PlanJson, IReadOnlyList<ProposedOrder> Orders);

    /// <summary>A stored proposal.</summary>
    /// <param name="Status">Where it stands: recorded events and the fills against its orders.</param>
    /// <param name="Filled">Shares filled against each order, in the order of <paramref name="Orders"/>.</param>
    public sealed record ProposalInfo(long Id, DateTimeOffset CreatedAt, string Actor, string Scope, string EngineVersion, string? Policy,
        string InputsJson, string PlanJson, IReadOnlyList<ProposedOrder> Orders, ProposalStatus Status, IReadOnlyList<decimal> Filled);

    /// <summary>An executed trade reported by a broker; one order may fill in several parts.</summary>
    /// <param name="ExecutionId">The broker's execution id; a second fill with the same id is refused.</param>
    /// <param name="Quantity">Shares filled, positive.</param>
    /// <param name="Price">Price per share.</param>
    /// <param name="Fee">Commission and fees, positive.</param>
    /// <param name="ProposalId">The proposal the fill executes, or null.</param>
    public sealed record Fill(string ExecutionId, string Account, DateOnly Date, string Ticker, OrderSide Side, decimal Quantity, decimal Price,
        decimal Fee = 0, long? ProposalId = null);

    public sealed partial class BallastStore
    {
        /// <summary>Records a proposal (inputs, policy, plan, engine version and orders). Returns its id.</summary>
        public long SaveProposal(NewProposal proposal) => Write("proposal", scope =>
        {
            var id = SaveProposal(scope, proposal, out var summary);
            return (id, summary);
        });

        /// <summary>Records several proposals in one write: all of them, or none when one is refused. Returns their ids in order.</summary>
        public IReadOnlyList<long> SaveProposals(IReadOnlyList<NewProposal> proposals)
        {
            ArgumentNullException.ThrowIfNull(proposals);
            if (proposals.Count == 0) return [];
            return Write("proposals", scope =>
            {
                var ids = new List<long>(proposals.Count);
                string? first = null;
                foreach (var p in proposals)
                {
                    ids.Add(SaveProposal(scope, p, out var summary));
                    first ??= summary;
                }
                return ((IReadOnlyList<long>)ids, ids.Count == 1 ? first! : $"{ids.Count} proposals, {ids[0]} to {ids[^1]} ({first}, ...)");
            });
        }

        /// <summary>Records a proposal inside <paramref name="scope"/>'s transaction (a window run saves its batch's proposals with its verdicts).</summary>
        /// <param name="securities">Every security's id by ticker, when the caller has read them (a window run's batch); else read here.</param>
        /// <param name="knownAccounts">Account ids by name the caller has read; others are looked up.</param>
        /// <param name="expire">Expire the proposed or approved proposals this one supersedes (a window run does it once per batch instead).</param>
        internal long SaveProposal(WriteScope scope, NewProposal proposal, out string summary, Dictionary<string, long>? securities = null,
            IReadOnlyDictionary<string, long>? knownAccounts = null, bool expire = true)
        {
            var problems = new List<InputProblem>();
            var accounts = new Dictionary<string, long>(StringComparer.Ordinal);
            securities ??= scope.Query("SELECT ticker, id FROM securities", r => (Ticker: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(s => s.Ticker, s => s.Id, StringComparer.Ordinal);
            var rows = new List<object?[]>();
            var id = scope.NextId("proposals");
            var line = 0;
            foreach (var o in proposal.Orders)
            {
                line++;
                if (!accounts.TryGetValue(o.Account, out var accountId))
                {
                    if (knownAccounts is not null && knownAccounts.TryGetValue(o.Account, out accountId)) accounts[o.Account] = accountId;
                    else
                    {
                        var found = scope.ScalarLong("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @a", new { tenant = scope.Tenant, a = o.Account });
                        if (found is null) { problems.Add(new($"account '{o.Account}' does not exist", Line: line, Field: "account")); continue; }
                        accounts[o.Account] = accountId = found.Value;
                    }
                }
                if (!securities.TryGetValue(NormalizeTicker(o.Ticker), out var securityId)) { problems.Add(new($"unknown ticker '{o.Ticker}'", Line: line, Field: "ticker")); continue; }
                if (o.Quantity <= 0 || !Scaled.TryToStored(o.Quantity, Scaled.QuantityScale, out var q)) { problems.Add(new($"quantity {o.Quantity} must be positive with at most 6 decimals", Line: line, Field: "quantity")); continue; }
                rows.Add([id, line, accountId, securityId, o.Side.ToText(), q, o.Price is null ? null : Scaled.RoundToStored(o.Price.Value, Scaled.PriceScale)]);
            }
            if (problems.Count > 0) throw new InputException(problems);
            // Appended: a window run's batch writes its proposals, orders and events in a few bulk writes.
            scope.Append("proposals", ProposalColumns, [id, scope.Now, Options.Actor, proposal.Scope, proposal.EngineVersion, proposal.Policy, proposal.InputsJson, proposal.PlanJson, scope.Tenant]);
            foreach (var row in rows) scope.Append("proposal_orders", ProposalOrderColumns, row);
            scope.Event(EventKinds.ProposalCreated, Subject(id), EventJson.Of(("scope", proposal.Scope), ("accounts", accounts.Keys.ToList()), ("orders", rows.Count), ("engine", proposal.EngineVersion)));
            if (expire) ExpireSuperseded(scope, accounts.Values.ToList(), id);
            summary = $"proposal {id} for {proposal.Scope}: {rows.Count} orders (engine {proposal.EngineVersion})";
            return id;
        }

        private static readonly string[] ProposalColumns = ["id", "created_at", "actor", "scope", "engine_version", "policy", "inputs", "plan", "tenant_id"];
        private static readonly string[] ProposalOrderColumns = ["proposal_id", "line", "account_id", "security_id", "side", "quantity", "price"];

        /// <summary>A proposal with its orders.</summary>
        /// <exception cref="InputException">No proposal has that id.</exception>
        public ProposalInfo GetProposal(long id) => Read(c =>
        {
            var p = c.Query(
                "SELECT id, created_at, actor, scope, engine_version, policy, inputs, plan FROM proposals WHERE id = @id AND tenant_id = @tenant", new { id, tenant = Tenant }, r => (Id: r.GetInt64(0), CreatedAt: r.GetString(1), Actor: r.GetString(2), Scope: r.GetString(3), EngineVersion: r.GetString(4), Policy: r.TextOrNull(5), Inputs: r.GetString(6), Plan: r.GetString(7))).ToList();
            if (p.Count == 0) throw new InputException(new InputProblem($"proposal {id} does not exist", Field: "PROPOSAL"));
            return ToProposal(c, p[0], ProposalStates(c, null, [id], Tenant)[id]);
        });

        private static ProposalInfo ToProposal(System.Data.Common.DbConnection c, (long Id, string CreatedAt, string Actor, string Scope, string EngineVersion, string? Policy, string Inputs, string Plan) p,
            ProposalState state)
        {
            var rows = c.Query(
                    """
                    SELECT a.id, s.id, a.name, s.ticker, o.side, o.quantity, o.price FROM proposal_orders o
                    JOIN accounts a ON a.id = o.account_id JOIN securities s ON s.id = o.security_id
                    WHERE o.proposal_id = @id ORDER BY o.line
                    """, new { id = p.Id }, r => (AccountId: r.GetInt64(0), SecurityId: r.GetInt64(1), Account: r.GetString(2), Ticker: r.GetString(3), Side: r.GetString(4), Quantity: r.GetInt64(5), Price: r.LongOrNull(6))).ToList();
            var orders = rows
                .Select(o => new ProposedOrder(o.Account, o.Ticker, o.Side == "buy" ? OrderSide.Buy : OrderSide.Sell, Scaled.Quantity(o.Quantity), o.Price is null ? null : Scaled.Price(o.Price.Value)))
                .ToList();
            // Fills are summed per account, ticker and side; they are shared out over that key's orders in line order.
            var left = state.Orders.ToDictionary(o => (o.AccountId, o.SecurityId, o.Side), o => o.Filled);
            var filled = new List<decimal>(rows.Count);
            foreach (var o in rows)
            {
                var key = (o.AccountId, o.SecurityId, o.Side);
                var take = Math.Min(o.Quantity, left.GetValueOrDefault(key));
                left[key] = left.GetValueOrDefault(key) - take;
                filled.Add(Scaled.Quantity(take));
            }
            return new ProposalInfo(p.Id, ParseInstant(p.CreatedAt), p.Actor, p.Scope, p.EngineVersion, p.Policy, p.Inputs, p.Plan, orders, state.Status, filled);
        }

        /// <summary>Proposals with an order for <paramref name="account"/> (all when null), with <paramref name="status"/> (any when null), newest first.</summary>
        public IReadOnlyList<ProposalInfo> Proposals(string? account = null, ProposalStatus? status = null) => Read(c =>
        {
            var rows = c.Query(
                    """
                    SELECT p.id, p.created_at, p.actor, p.scope, p.engine_version, p.policy, p.inputs, p.plan FROM proposals p
                    WHERE p.tenant_id = @tenant
                      AND (@account IS NULL OR EXISTS (SELECT 1 FROM proposal_orders o JOIN accounts a ON a.id = o.account_id WHERE o.proposal_id = p.id AND a.name = @account))
                    ORDER BY p.id DESC
                    """, new { tenant = Tenant, account }, r => (Id: r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.TextOrNull(5), r.GetString(6), r.GetString(7))).ToList();
            var states = ProposalStates(c, null, account is null ? null : rows.Select(r => r.Id).ToList(), Tenant);
            return rows.Where(r => status is null || states[r.Id].Status == status).Select(r => ToProposal(c, r, states[r.Id])).ToList();
        });

        /// <summary>Writes a proposal's orders as CSV: <c>proposal,line,account,ticker,side,quantity,price</c>.</summary>
        public void WriteOrdersCsv(long proposalId, TextWriter writer)
        {
            var p = GetProposal(proposalId);
            writer.WriteLine("proposal,line,account,ticker,side,quantity,price");
            var line = 0;
            foreach (var o in p.Orders)
            {
                line++;
                writer.WriteLine(string.Join(',', p.Id.ToString(CultureInfo.InvariantCulture), line.ToString(CultureInfo.InvariantCulture), CsvQuote(o.Account), o.Ticker,
                    o.Side.ToText(), Scaled.Format(o.Quantity), o.Price is null ? "" : Scaled.Format(o.Price.Value)));
            }
        }

        /// <summary>Why a fill cannot execute its proposal, or null: it must match an order's account, ticker and side and stay within its quantity.</summary>
        private static (string Message, string Field)? Reconcile(ProposalState proposal, long accountId, long securityId, Fill f, long quantity, bool allowOverfill)
        {
            var status = proposal.Status;
            if (status is ProposalStatus.Cancelled or ProposalStatus.Expired or ProposalStatus.Rejected)
                return ($"proposal {proposal.Id} is {status.ToText()}; a fill cannot execute it", "proposal");
            if (!proposal.Orders.Any(o => o.AccountId == accountId))
                return ($"proposal {proposal.Id} has no order for account '{f.Account}'", "account");
            var side = f.Side.ToText();
            var order = proposal.Orders.FirstOrDefault(o => o.AccountId == accountId && o.SecurityId == securityId && o.Side == side);
            if (order is null)
            {
                var other = proposal.Orders.Any(o => o.AccountId == accountId && o.SecurityId == securityId);
                return other
                    ? ($"proposal {proposal.Id} does not {side} {NormalizeTicker(f.Ticker)} for '{f.Account}' (its order is the other side)", "side")
                    : ($"proposal {proposal.Id} has no order for {NormalizeTicker(f.Ticker)} in '{f.Account}'", "ticker");
            }
            var after = order.Filled + quantity;
            if (after > order.Quantity && !allowOverfill)
                return ($"this fill takes proposal {proposal.Id}'s {side} of {Scaled.Format(Scaled.Quantity(order.Quantity))} {NormalizeTicker(f.Ticker)} to "
                    + $"{Scaled.Format(Scaled.Quantity(after))} filled, beyond the order; give --allow-overfill to record it", "quantity");
            order.Filled = after;
            return null;
        }

        private static string CsvQuote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

        /// <summary>Records one executed trade as a buy or sell in the ledger. Returns the transaction id.</summary>
        /// <exception cref="InputException">The execution id was already recorded (duplicate), or the fill is invalid (unknown account or ticker, sells more than held, future date).</exception>
        /// <param name="allowOverfill">Record a fill that takes its order beyond the proposed quantity.</param>
        public long RecordFill(Fill fill, bool allowOverfill = false) => Write("fill", scope =>
        {
            var (added, duplicates) = AppendFills(scope, [(null, fill)], null, null, allowOverfill);
            if (duplicates > 0) throw new InputException(new InputProblem($"execution {fill.ExecutionId} is already recorded (the same fill); a fill is recorded once", Field: "execution_id"));
            return (added[0], $"fill {fill.ExecutionId}: {(fill.Side == OrderSide.Buy ? "bought" : "sold")} {fill.Quantity} {fill.Ticker} at {fill.Price} in {fill.Account}");
        });

        /// <summary>
        /// Records fills from a CSV with columns <c>execution_id,account,date,ticker,side,quantity,price</c> and optional
        /// <c>fee,proposal</c>. Fills whose execution id is already recorded are refused as duplicates and counted in
        /// <see cref="ImportResult.Skipped"/>, so importing the same file twice changes nothing.
        /// A fill naming a proposal must match one of its orders (account, ticker and side) and may not take the order beyond its
        /// quantity unless <paramref name="allowOverfill"/>; a buy may not take cash below zero unless the account allows margin.
        /// Every refusal names the file, line and reason, and nothing is written.
        /// </summary>
        public ImportResult ImportFills(string path, string? displayName = null, bool allowOverfill = false)
        {
            var file = CsvFile.Read(path, ["execution_id", "account", "date", "ticker", "side", "quantity", "price"], displayName);
            var problems = new List<InputProblem>();
            var fills = new List<(int? Line, Fill Fill)>();
            int? iFee = file.IndexOf("fee"), iProposal = file.IndexOf("proposal");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in file.Rows)
            {
                var before = problems.Count;
                string Need(string c) => file.Required(row, c, problems);
                var exec = Need("execution_id");
                var acct = Need("account");
                var ticker = Need("ticker");
                var dateText = Need("date");
                var sideText = Need("side");
                var qtyText = Need("quantity");
                var priceText = Need("price");
                if (problems.Count > before) continue;
                if (!seen.Add(exec)) problems.Add(new($"execution {exec} appears twice in the file", file.Name, row.Line, Field: "execution_id"));
                var date = CsvValues.Date(dateText);
                if (date is null) problems.Add(new($"'{dateText}' is not a date", file.Name, row.Line, Field: "date"));
                OrderSide side = default;
                if (sideText.Equals("buy", StringComparison.OrdinalIgnoreCase) || sideText.Equals("b", StringComparison.OrdinalIgnoreCase)) side = OrderSide.Buy;
                else if (sideText.Equals("sell", StringComparison.OrdinalIgnoreCase) || sideText.Equals("s", StringComparison.OrdinalIgnoreCase)) side = OrderSide.Sell;
                else problems.Add(new($"side '{sideText}' is neither buy nor sell", file.Name, row.Line, Field: "side"));
                var qty = CsvValues.Number(qtyText);
                if (qty is null || qty <= 0) problems.Add(new($"quantity '{qtyText}' is not a positive number", file.Name, row.Line, Field: "quantity"));
                var price = CsvValues.Number(priceText);
                if (price is null || price <= 0) problems.Add(new($"price '{priceText}' is not a positive number", file.Name, row.Line, Field: "price"));
                var feeText = CsvFile.Cell(row, iFee);
                var fee = CsvValues.IsBlank(feeText) ? 0 : CsvValues.Number(feeText);
                if (fee is null) problems.Add(new($"fee '{feeText}' is not a number", file.Name, row.Line, Field: "fee"));
                var proposalText = CsvFile.Cell(row, iProposal);
                long? proposal = null;
                if (proposalText is not null)
                {
                    if (long.TryParse(proposalText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) proposal = pid;
                    else problems.Add(new($"proposal '{proposalText}' is not a proposal id", file.Name, row.Line, Field: "proposal"));
                }
                if (problems.Count > before) continue;
                fills.Add((row.Line, new Fill(exec, acct, date!.Value, ticker, side, qty!.Value, price!.Value, Math.Abs(fee!.Value), proposal)));
            }
            if (problems.Count > 0) throw new InputException(problems);
            return Write("import fills", scope =>
            {
                var importId = RecordImport(scope, "fills", file);
                var (added, duplicates) = AppendFills(scope, fills, file.Name, importId, allowOverfill);
                scope.Event(EventKinds.FillsImported, file.Name, EventJson.Of(("import", importId), ("source", "fills"), ("rows", fills.Count), ("recorded", added.Count), ("duplicates", duplicates)));
                return (new ImportResult(fills.Count, added.Count, duplicates, $"{added.Count} fills recorded, {duplicates} refused as duplicates"),
                    $"imported fills from {file.Name}: {added.Count} recorded, {duplicates} duplicates refused");
            });
        }

        /// <summary>A fill as the ledger keeps it, for comparing a repeated execution id with what it recorded.</summary>
        private sealed record RecordedFill(long AccountId, string Kind, string Date, long? SecurityId, long Quantity, long? Price, long Fee, long? ProposalId,
            string? AccountName = null);

        /// <summary>The ledger rows already recorded under these execution ids, in any account.</summary>
        private static Dictionary<string, RecordedFill> RecordedExecutions(WriteScope scope, string[] executionIds)
        {
            var recorded = new Dictionary<string, RecordedFill>(StringComparer.Ordinal);
            foreach (var chunk in executionIds.Chunk(500))
                foreach (var r in scope.Query(
                             "SELECT t.execution_id, t.account_id, t.kind, t.trade_date, t.security_id, t.quantity, t.price, t.fee, t.proposal_id, a.name " +
                             "FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.tenant_id = @tenant AND t.execution_id IN @chunk ORDER BY t.id",
                             new { tenant = scope.Tenant, chunk }, r => (Id: r.GetString(0), Fill: new RecordedFill(r.GetInt64(1), r.GetString(2), r.GetString(3), r.LongOrNull(4), r.GetInt64(5),
                                 r.LongOrNull(6), r.GetInt64(7), r.LongOrNull(8), r.GetString(9)))))
                    recorded.TryAdd(r.Id, r.Fill);
            return recorded;
        }

        private static List<string> Differences(RecordedFill old, RecordedFill now, Dictionary<string, long> securities)
        {
            string Ticker(long? id) => id is null ? "none" : securities.FirstOrDefault(s => s.Value == id).Key ?? $"#{id}";
            string Text(long? v, Func<long, decimal> scale) => v is { } x ? Scaled.Format(scale(x)) : "none";
            var d = new List<string>();
            if (old.AccountId != now.AccountId) d.Add($"account (recorded in {old.AccountName})");
            if (old.Kind != now.Kind) d.Add($"side (recorded as a {old.Kind})");
            if (old.Date != now.Date) d.Add($"date (recorded on {old.Date})");
            if (old.SecurityId != now.SecurityId) d.Add($"ticker (recorded for {Ticker(old.SecurityId)})");
            if (old.Quantity != now.Quantity) d.Add($"quantity (recorded {Text(Math.Abs(old.Quantity), Scaled.Quantity)})");
            if (old.Price != now.Price) d.Add($"price (recorded {Text(old.Price, Scaled.Price)})");
            if (old.Fee != now.Fee) d.Add($"fee (recorded {Text(old.Fee, Scaled.Money)})");
            if (old.ProposalId != now.ProposalId) d.Add($"proposal (recorded {(old.ProposalId is { } p ? p.ToString(CultureInfo.InvariantCulture) : "none")})");
            return d;
        }

        /// <param name="notionals">Cash for the shares of some fills by execution id (stored money), instead of quantity × price: a block
        /// allocation's amount, which carries the block's rounding residue.</param>
        private static (List<long> Added, int Duplicates) AppendFills(WriteScope scope, IReadOnlyList<(int? Line, Fill Fill)> fills, string? file, long? importId, bool allowOverfill,
            IReadOnlyDictionary<string, long>? notionals = null, string memo = "fill")
        {
            var problems = new List<InputProblem>();
            var today = scope.Store.Today;
            var accountIds = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var chunk in fills.Select(f => f.Fill.Account).Distinct().Chunk(500))
                foreach (var a in scope.Query("SELECT name, id FROM accounts WHERE tenant_id = @tenant AND name IN @chunk", new { tenant = scope.Tenant, chunk }, r => (Name: r.GetString(0), Id: r.GetInt64(1))))
                    accountIds[a.Name] = a.Id;
            var securities = scope.Query("SELECT ticker, id FROM securities", r => (Ticker: r.GetString(0), Id: r.GetInt64(1))).ToDictionary(s => s.Ticker, s => s.Id, StringComparer.Ordinal);
            var proposals = fills.Where(f => f.Fill.ProposalId is not null).Select(f => f.Fill.ProposalId!.Value).Distinct().ToArray();
            var proposalStates = ProposalStates(scope.Connection, scope.Transaction, proposals, scope.Tenant);
            var statusBefore = proposalStates.ToDictionary(p => p.Key, p => p.Value.Status);
            var knownProposals = proposalStates.Keys.ToHashSet();
            var margin = accountIds.Count == 0 ? [] : scope.Query("SELECT id, allow_margin FROM accounts WHERE id IN @ids", new { ids = accountIds.Values.ToArray() }, r => (Id: r.GetInt64(0), Margin: r.GetInt64(1)))
                .Where(a => a.Margin != 0).Select(a => a.Id).ToHashSet();
            foreach (var (line, f) in fills)
            {
                if (!accountIds.ContainsKey(f.Account)) problems.Add(new($"account '{f.Account}' does not exist", file, line, Field: "account"));
                if (!securities.ContainsKey(NormalizeTicker(f.Ticker))) problems.Add(new($"unknown ticker '{f.Ticker}'", file, line, Field: "ticker"));
                if (f.Date > today) problems.Add(new($"date {FormatDate(f.Date)} is in the future (today is {FormatDate(today)})", file, line, Field: "date"));
                if (f.ProposalId is { } p && !knownProposals.Contains(p)) problems.Add(new($"proposal {p} does not exist", file, line, Field: "proposal"));
                if (!Scaled.TryToStored(f.Quantity, Scaled.QuantityScale, out var fq) || f.Quantity <= 0) { problems.Add(new($"quantity {f.Quantity} must be positive with at most 6 decimals", file, line, Field: "quantity")); continue; }
                if (Import.ScaledInput.Price(f.Price, "price", out var fp) is { } priceError) { problems.Add(new(priceError, file, line, Field: "price")); continue; }
                if (Import.ScaledInput.Money(f.Fee, "fee", out var ff) is { } feeError) { problems.Add(new(feeError, file, line, Field: "fee")); continue; }
                // The fill's cash, quantity x price plus the fee, must fit the store's scaled range: refused, never wrapped.
                try { _ = checked(Scaled.Notional(fq, fp) + ff); }
                catch (OverflowException) { problems.Add(new($"{f.Quantity} x {f.Price} is too large an amount for the store", file, line, Field: "quantity")); }
            }
            if (problems.Count > 0) throw new InputException(problems);
            var existing = scope.Ledger.ExistingKeys(accountIds.Values.ToList());
            var recorded = RecordedExecutions(scope, fills.Select(f => f.Fill.ExecutionId).Distinct().ToArray());
            var added = new List<long>();
            var duplicates = 0;
            foreach (var (line, f) in fills.OrderBy(f => f.Fill.Date))
            {
                var accountId = accountIds[f.Account];
                var key = "fill:" + f.ExecutionId;
                Scaled.TryToStored(f.Quantity, Scaled.QuantityScale, out var q);
                if (recorded.TryGetValue(f.ExecutionId, out var old))
                {
                    // The same execution id again: the same fill is a no-op, a different one a conflict (an id names one execution).
                    var now = new RecordedFill(accountId, f.Side.ToText(), FormatDate(f.Date), securities[NormalizeTicker(f.Ticker)],
                        f.Side == OrderSide.Buy ? q : -q, Scaled.RoundToStored(f.Price, Scaled.PriceScale), Scaled.Money(f.Fee), f.ProposalId);
                    var differs = Differences(old, now, securities);
                    if (differs.Count == 0) { duplicates++; continue; }
                    problems.Add(new($"execution {f.ExecutionId} is already recorded with a different {string.Join(", ", differs)}; an execution id names one fill, so this one is refused as a conflict",
                        file, line, Field: "execution_id"));
                    continue;
                }
                if (!existing.Add((accountId, key))) { duplicates++; continue; }
                if (f.ProposalId is { } pid && Reconcile(proposalStates[pid], accountId, securities[NormalizeTicker(f.Ticker)], f, q, allowOverfill) is { } refusal)
                {
                    problems.Add(new(refusal.Message, file, line, Field: refusal.Field));
                    continue;
                }
                var price = Scaled.RoundToStored(f.Price, Scaled.PriceScale);
                var fee = Scaled.Money(f.Fee);
                var notional = notionals is not null && notionals.TryGetValue(f.ExecutionId, out var given) ? given : Scaled.Notional(q, price);
                var buy = f.Side == OrderSide.Buy;
                var ticker = NormalizeTicker(f.Ticker);
                var error = scope.Ledger.Append(new TxnDraft(accountId, buy ? "buy" : "sell", FormatDate(f.Date), securities[ticker], buy ? q : -q, price,
                    buy ? -(notional + fee) : notional - fee, fee, key, ticker, ExecutionId: f.ExecutionId, ProposalId: f.ProposalId, ImportId: importId,
                    Memo: memo), out var id);
                if (error is not null) problems.Add(new(error, file, line, Field: "quantity"));
                else
                {
                    added.Add(id);
                    var cash = scope.Ledger.State(accountId).Cash;
                    if (buy && cash < 0 && !margin.Contains(accountId))
                        problems.Add(new($"the buy of {f.Quantity} {ticker} would take {f.Account}'s cash to {Scaled.Format(Scaled.Money(cash))}; the account does not allow margin",
                            file, line, Field: "quantity"));
                }
            }
            if (problems.Count > 0) throw new InputException(problems);
            foreach (var s in proposalStates.Values.Where(s => s.Status == ProposalStatus.Filled && statusBefore[s.Id] != ProposalStatus.Filled).OrderBy(s => s.Id)) scope.Event(EventKinds.ProposalFilled, Subject(s.Id), EventJson.Of(("from", statusBefore[s.Id].ToText()), ("lastFill", s.LastFillDate)));
            return (added, duplicates);
        }
    }
}
