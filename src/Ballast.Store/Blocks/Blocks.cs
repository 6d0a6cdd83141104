using System.Data.Common;
using System.Globalization;
using Ballast.Input;
using Ballast.Store.Data;
using Ballast.Store.Import;

namespace Ballast.Store
{
    /// <summary>Where a block stands: from its fills, or cancelled by a recorded event.</summary>
    public enum BlockStatus
    {
        /// <summary>Nothing filled yet.</summary>
        Open,
        /// <summary>Some of its quantity filled.</summary>
        PartlyFilled,
        /// <summary>Its whole quantity filled.</summary>
        Filled,
        /// <summary>Its unfilled rest was cancelled; what was filled stays filled.</summary>
        Cancelled,
    }

    /// <summary>What happens to a block's unfilled rest after a fills import.</summary>
    public enum UnfilledRest
    {
        /// <summary>The block stays open; its proposals stay partly filled and their accounts stay due.</summary>
        Carry,
        /// <summary>The block's rest is cancelled (a <c>block_events</c> row) and so is every proposal whose blocks are then all closed but not all filled.</summary>
        Cancel,
    }

    /// <summary>Text forms of <see cref="BlockStatus"/>.</summary>
    public static class BlockStatuses
    {
        public static string ToText(this BlockStatus status) => status switch
        {
            BlockStatus.Open => "open",
            BlockStatus.PartlyFilled => "partly filled",
            BlockStatus.Filled => "filled",
            BlockStatus.Cancelled => "cancelled",
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    /// <summary>A proposal order line offered for gathering into blocks.</summary>
    public sealed record BlockOrderLine(long ProposalId, int Line, string Account, string Currency, string Ticker, OrderSide Side, decimal Quantity);

    /// <summary>One proposal order line a block gathers.</summary>
    public sealed record BlockLine(long ProposalId, int Line, string Account, decimal Quantity);

    /// <summary>A block to record: one security and side, its lines in allocation order (that order breaks ties).</summary>
    public sealed record NewBlock(string Ticker, OrderSide Side, IReadOnlyList<BlockLine> Lines);

    /// <summary>A recorded execution of a block.</summary>
    /// <param name="Allocation">The allocation it was shared out in (1, 2, ... per block).</param>
    public sealed record StoredBlockFill(string ExecutionId, DateOnly Date, decimal Quantity, decimal Price, decimal Fee, int Allocation);

    /// <summary>What one account received from one allocation of a block, and the ledger transaction it became.</summary>
    public sealed record StoredBlockAllocation(int Allocation, string Account, long ProposalId, decimal Quantity, decimal Price, decimal Amount, decimal Fee, long TransactionId);

    /// <summary>A stored block with its lines, fills, allocations and cancelled rest.</summary>
    /// <param name="Cancelled">Shares cancelled with the block's rest (0 unless cancelled).</param>
    public sealed record BlockInfo(long Id, DateTimeOffset CreatedAt, string Actor, string Ticker, OrderSide Side, decimal Quantity, string? Window,
        BlockStatus Status, IReadOnlyList<BlockLine> Lines, IReadOnlyList<StoredBlockFill> Fills, IReadOnlyList<StoredBlockAllocation> Allocations,
        decimal Cancelled, string? CancelNote)
    {
        public decimal Filled => Fills.Sum(f => f.Quantity);
        public decimal Unfilled => Quantity - Filled;
    }

    /// <summary>A block fill as read from a file, before it is recorded.</summary>
    public sealed record BlockFillRow(string ExecutionId, long BlockId, DateOnly Date, decimal Quantity, decimal Price, decimal Fee);

    /// <summary>An account of a block with what it still has unfilled, and its stored execution settings (model's, then its own).</summary>
    public sealed record BlockAccountDue(string Account, long ProposalId, decimal Remaining, string? ModelExecution, string? Execution);

    /// <summary>Fills of one block on one date in one file, to be allocated to the accounts that still have shares due.</summary>
    public sealed record BlockBatch(BlockInfo Block, int Allocation, IReadOnlyList<BlockAccountDue> Accounts, IReadOnlyList<BlockFillRow> Fills);

    /// <summary>An account's part of a batch: shares, price, cash for the shares and fee.</summary>
    public sealed record AccountShare(string Account, decimal Quantity, decimal Price, decimal Amount, decimal Fee);

    /// <summary>What a block fills import did.</summary>
    /// <summary>Netting at block creation: the buys and sells of a security cross between client accounts (a firm setting), and
    /// <paramref name="Allocate"/> shares each side's crossed shares over its accounts as it shares a market fill.</summary>
    public sealed record BlockCross(Func<BlockBatch, IReadOnlyList<AccountShare>> Allocate);

    public sealed record BlockFillsResult(int Rows, int Recorded, int Duplicates, IReadOnlyList<long> Blocks, IReadOnlyList<long> Cancelled, string Summary);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// Gathers the orders of proposals into blocks. With <paramref name="proposalIds"/>, those proposals, each approved or sent and in no
        /// block yet; without, every proposal whose status is one of <paramref name="statuses"/> and in no block. <paramref name="gather"/>
        /// makes the blocks (the operations layer's rule); every line must land in exactly one. Returns the new blocks' ids.
        /// </summary>
        /// <exception cref="InputException">A proposal does not exist, is not approved or sent, is already in a block; an account has the same
        /// security and side in two proposals; a block would mix account currencies.</exception>
        public IReadOnlyList<long> CreateBlocks(IReadOnlyList<long>? proposalIds, IReadOnlyCollection<ProposalStatus> statuses, string? window,
            Func<IReadOnlyList<BlockOrderLine>, IReadOnlyList<NewBlock>> gather, BlockCross? cross = null) => Write("blocks create", scope =>
        {
            ArgumentNullException.ThrowIfNull(gather);
            var problems = new List<InputProblem>();
            var inBlock = scope.Query("SELECT DISTINCT o.proposal_id, o.block_id FROM block_orders o JOIN blocks b ON b.id = o.block_id WHERE b.tenant_id = @tenant", new { tenant = scope.Tenant }, r => (Proposal: r.GetInt64(0), Block: r.GetInt64(1)))
                .GroupBy(x => x.Proposal).ToDictionary(g => g.Key, g => g.Min(x => x.Block));
            List<long> ids;
            if (proposalIds is not null)
            {
                var states = ProposalStates(scope.Connection, scope.Transaction, proposalIds, scope.Tenant);
                ids = [];
                foreach (var id in proposalIds.Distinct())
                {
                    if (!states.TryGetValue(id, out var st)) problems.Add(new($"proposal {id} does not exist", Field: "--proposals"));
                    else if (inBlock.TryGetValue(id, out var b)) problems.Add(new($"proposal {id} is already in block {b}", Field: "--proposals"));
                    else if (st.Status is not (ProposalStatus.Approved or ProposalStatus.Sent))
                        problems.Add(new($"proposal {id} is {st.Status.ToText()}; only an approved or sent proposal goes into a block", Field: "--proposals"));
                    else ids.Add(id);
                }
            }
            else
            {
                ids = ProposalStates(scope.Connection, scope.Transaction, null, scope.Tenant).Values
                    .Where(s => statuses.Contains(s.Status) && !inBlock.ContainsKey(s.Id)).Select(s => s.Id).Order().ToList();
            }
            if (problems.Count > 0) throw new InputException(problems);
            if (ids.Count == 0) return ((IReadOnlyList<long>)[], "blocks create: no proposal to gather");
            // A million lines for a million accounts' window: each account's name, currency and ticker is read once and shared by its
            // lines, and the checks below keep one entry per account order, not a group of lines.
            var accountText = new Dictionary<long, (string Name, string Currency)>();
            var tickerText = new Dictionary<long, string>();
            var lines = scope.Query(
                    """
                    SELECT o.proposal_id, o.line, o.account_id, a.name, a.currency, o.security_id, s.ticker, o.side, o.quantity FROM proposal_orders o
                    JOIN accounts a ON a.id = o.account_id JOIN securities s ON s.id = o.security_id
                    WHERE o.proposal_id IN @ids ORDER BY o.proposal_id, o.line
                    """, new { ids = ids.ToArray() },
                    r =>
                    {
                        var accountId = r.GetInt64(2);
                        if (!accountText.TryGetValue(accountId, out var account)) accountText[accountId] = account = (r.GetString(3), string.Intern(r.GetString(4)));
                        var securityId = r.GetInt64(5);
                        if (!tickerText.TryGetValue(securityId, out var ticker)) tickerText[securityId] = ticker = r.GetString(6);
                        return new BlockOrderLine(r.GetInt64(0), r.GetInt32(1), account.Name, account.Currency, ticker, r.GetString(7) == "buy" ? OrderSide.Buy : OrderSide.Sell,
                            Scaled.Quantity(r.GetInt64(8)));
                    })
                .ToList();
            var orderFrom = new Dictionary<(string Account, string Ticker, OrderSide Side), long>();
            var twice = new Dictionary<(string Account, string Ticker, OrderSide Side), List<long>>();
            var blockCurrencies = new Dictionary<(string Ticker, OrderSide Side), List<string>>();
            foreach (var l in lines)
            {
                var key = (l.Account, l.Ticker, l.Side);
                if (!orderFrom.TryAdd(key, l.ProposalId) && orderFrom[key] != l.ProposalId)
                {
                    if (!twice.TryGetValue(key, out var from)) twice[key] = from = [orderFrom[key]];
                    if (!from.Contains(l.ProposalId)) from.Add(l.ProposalId);
                }
                if (!blockCurrencies.TryGetValue((l.Ticker, l.Side), out var currencies)) blockCurrencies[(l.Ticker, l.Side)] = currencies = [];
                if (!currencies.Contains(l.Currency, StringComparer.Ordinal)) currencies.Add(l.Currency);
            }
            orderFrom.Clear();
            foreach (var (key, from) in twice)
                problems.Add(new($"account {key.Account} has a {key.Side.ToText()} of {key.Ticker} in proposals {string.Join(" and ", from)}; a block takes one order per account, so gather one of them", Field: "--proposals"));
            foreach (var (key, currencies) in blockCurrencies.Where(b => b.Value.Count > 1))
                problems.Add(new($"the {key.Side.ToText()} of {key.Ticker} spans accounts in {string.Join(" and ", currencies)}; a block is executed and allocated in one currency", Field: "--proposals"));
            if (problems.Count > 0) throw new InputException(problems);

            var blocks = gather(lines);
            var byLine = lines.ToDictionary(l => (l.ProposalId, l.Line));
            var used = new HashSet<(long, int)>();
            foreach (var b in blocks)
                foreach (var l in b.Lines)
                    if (!byLine.TryGetValue((l.ProposalId, l.Line), out var o) || !used.Add((l.ProposalId, l.Line)) || o.Ticker != b.Ticker || o.Side != b.Side || o.Quantity != l.Quantity)
                        throw new InvalidOperationException($"the blocks do not gather proposal {l.ProposalId} line {l.Line} once, as proposed");
            if (used.Count != lines.Count) throw new InvalidOperationException("the blocks leave proposal lines out");

            var securities = scope.SecurityIds();
            var accounts = accountText.ToDictionary(a => a.Value.Name, a => a.Key, StringComparer.Ordinal);
            accountText.Clear();
            var created = new List<long>();
            var rows = new List<object?[]>();
            foreach (var b in blocks)
            {
                var id = scope.NextId("blocks");
                long total = 0;
                foreach (var l in b.Lines) total = checked(total + Scaled.RoundToStored(l.Quantity, Scaled.QuantityScale));
                scope.Execute("INSERT INTO blocks (id, created_at, actor, security_id, side, quantity, window_id, tenant_id) VALUES (@id, @at, @actor, @security, @side, @quantity, @window, @tenant)",
                    new { id, at = scope.Now, actor = Options.Actor, security = securities[b.Ticker], side = b.Side.ToText(), quantity = total, window, tenant = scope.Tenant });
                var position = 0;
                foreach (var l in b.Lines)
                {
                    rows.Add([id, ++position, l.ProposalId, l.Line, accounts[l.Account], Scaled.RoundToStored(l.Quantity, Scaled.QuantityScale)]);
                    if (rows.Count < 50_000) continue;
                    scope.Insert("block_orders", BlockOrderColumns, rows); // in slices: a million lines are never all rows at once
                    rows.Clear();
                }
                created.Add(id);
                scope.Event(EventKinds.BlockCreated, Subject(id), EventJson.Of(("ticker", b.Ticker), ("side", b.Side.ToText()), ("quantity", Scaled.Quantity(total)), ("accounts", b.Lines.Select(l => l.Account).Distinct().Count()), ("proposals", b.Lines.Select(l => l.ProposalId).Distinct().ToList()), ("window", window)));
            }
            scope.Insert("block_orders", BlockOrderColumns, rows);
            var crossed = cross is null ? "" : Cross(scope, cross, [.. blocks.Select((b, i) => (Id: created[i], Block: b))], ids);
            return ((IReadOnlyList<long>)created,
                $"blocks create: {created.Count} blocks ({string.Join(", ", blocks.Select((b, i) => $"{created[i]} {b.Ticker} {b.Side.ToText()} {Scaled.Format(b.Lines.Sum(l => l.Quantity))}"))}) from {(ids.Count <= 20 ? "proposals " + string.Join(", ", ids) : $"{ids.Count.ToString("N0", CultureInfo.InvariantCulture)} proposals, {ids[0]} to {ids[^1]}")}"
                + (window is null ? "" : $" for window {window}") + crossed);
        });

        private static readonly string[] BlockOrderColumns = ["block_id", "position", "proposal_id", "line", "account_id", "quantity"];

        /// <summary>
        /// Nets the buy and the sell block of each security among <paramref name="made"/>: the shares both sides hold
        /// (the smaller side, whole shares) execute between the client accounts at the security's latest close on or before
        /// today, recorded as one fill on each block (execution ids <c>cross-BUY-SELL.buy</c> and <c>.sell</c>) and allocated
        /// through the same path as a market fill. What is left of the larger side is the block the desk sends.
        /// </summary>
        private string Cross(WriteScope scope, BlockCross cross, IReadOnlyList<(long Id, NewBlock Block)> made, IReadOnlyList<long> proposals)
        {
            var closes = LatestPrices(scope.Connection, Today, scope.Transaction).Values.ToDictionary(p => p.Ticker, StringComparer.Ordinal);
            var currencies = scope.Query("SELECT ticker, currency FROM securities", r => (Ticker: r.GetString(0), Currency: r.TextOrNull(1)))
                .ToDictionary(x => x.Ticker, x => x.Currency, StringComparer.Ordinal);
            var accountCurrency = scope.Query("SELECT name, currency FROM accounts WHERE tenant_id = @tenant AND name IN @names",
                    new { tenant = scope.Tenant, names = made.SelectMany(m => m.Block.Lines).Select(l => l.Account).Distinct().ToArray() }, r => (Name: r.GetString(0), Currency: r.GetString(1)))
                .ToDictionary(x => x.Name, x => x.Currency, StringComparer.Ordinal);
            // What each buyer may spend on crossed buys: its cash now (a margin account: no limit). A crossed buy is paid at once,
            // before the account's own sales of other securities have filled, so a cross is made only when every buyer's cash
            // covers its whole order in the block at the cross price (with what earlier crosses took).
            var names = made.SelectMany(m => m.Block.Lines).Select(l => l.Account).Distinct().ToArray();
            var spendable = scope.Query("SELECT a.name, COALESCE(b.cash, 0), a.allow_margin FROM accounts a LEFT JOIN balances b ON b.account_id = a.id WHERE a.tenant_id = @tenant AND a.name IN @names",
                    new { tenant = scope.Tenant, names }, r => (Name: r.GetString(0), Cash: Scaled.Money(r.GetInt64(1)), Margin: r.GetInt64(2) != 0))
                .ToDictionary(x => x.Name, x => x.Margin ? decimal.MaxValue : x.Cash, StringComparer.Ordinal);
            var fills = new List<(int Line, BlockFillRow Row)>();
            var notes = new List<string>();
            foreach (var pair in made.GroupBy(m => m.Block.Ticker, StringComparer.Ordinal))
            {
                var buy = pair.SingleOrDefault(m => m.Block.Side == OrderSide.Buy);
                var sell = pair.SingleOrDefault(m => m.Block.Side == OrderSide.Sell);
                if (buy.Block is null || sell.Block is null) continue;
                var quantity = decimal.Floor(Math.Min(buy.Block.Lines.Sum(l => l.Quantity), sell.Block.Lines.Sum(l => l.Quantity)));
                if (quantity <= 0) continue;
                if (currencies.GetValueOrDefault(pair.Key) is { } currency && made.Where(m => m.Block.Ticker == pair.Key).SelectMany(m => m.Block.Lines).Any(l => accountCurrency[l.Account] != currency))
                {
                    notes.Add($"{pair.Key} not netted: accounts in another currency than its {currency}");
                    continue;
                }
                if (!closes.TryGetValue(pair.Key, out var close))
                {
                    notes.Add($"{pair.Key} not netted: no close on or before {FormatDate(Today)}");
                    continue;
                }
                var costs = buy.Block.Lines.GroupBy(l => l.Account).Select(g => (Account: g.Key, Cost: g.Sum(l => l.Quantity) * close.Close)).ToList();
                if (costs.FirstOrDefault(c => spendable[c.Account] != decimal.MaxValue && c.Cost > spendable[c.Account]) is { Account: not null } uncovered)
                {
                    notes.Add($"{pair.Key} not netted: {uncovered.Account}'s cash does not cover its buy before its sales fill");
                    continue;
                }
                foreach (var c in costs) if (spendable[c.Account] != decimal.MaxValue) spendable[c.Account] -= c.Cost;
                var id = $"cross-{buy.Id}-{sell.Id}";
                fills.Add((0, new BlockFillRow(id + ".sell", sell.Id, Today, quantity, close.Close, 0m)));
                fills.Add((0, new BlockFillRow(id + ".buy", buy.Id, Today, quantity, close.Close, 0m)));
                notes.Add($"{Scaled.Format(quantity)} {pair.Key} netted between blocks {sell.Id} and {buy.Id} at {Scaled.Format(close.Close)} (close of {FormatDate(close.Date)})");
            }
            if (fills.Count == 0) return notes.Count == 0 ? "" : "; " + string.Join("; ", notes);
            RecordBlockFills(scope, fills, fills.Count, proposals.Count <= 20 ? $"the netting of proposals {string.Join(", ", proposals)}" : $"the netting of {proposals.Count.ToString("N0", CultureInfo.InvariantCulture)} proposals", null, cross.Allocate, UnfilledRest.Carry);
            return "; " + string.Join("; ", notes);
        }

        /// <summary>Every block, oldest first (or the one with <paramref name="id"/>).</summary>
        public IReadOnlyList<BlockInfo> Blocks(long? id = null) => Read(c => ReadBlocks(c, null, Tenant, id));

        /// <summary>One block.</summary>
        /// <exception cref="InputException">No block has that id.</exception>
        public BlockInfo GetBlock(long id) => Blocks(id).SingleOrDefault()
            ?? throw new InputException(new InputProblem($"block {id} does not exist", Field: "BLOCK"));

        /// <summary>This instance's tenant's blocks (or its block <paramref name="id"/>: none when another tenant's).</summary>
        private List<BlockInfo> ReadBlocks(DbConnection c, DbTransaction? tx, long? id) => ReadBlocks(c, tx, Tenant, id);

        /// <summary>The tenant's blocks (or its block <paramref name="id"/>: none when another tenant's).</summary>
        private static List<BlockInfo> ReadBlocks(DbConnection c, DbTransaction? tx, long tenant, long? id)
        {
            var where = id is null ? " WHERE block_id IN (SELECT id FROM blocks WHERE tenant_id = @tenant)" : " WHERE block_id = @id";
            var p = new { id = id ?? 0, tenant };
            var lines = c.Query($"SELECT o.block_id, o.proposal_id, o.line, a.name, o.quantity FROM block_orders o JOIN accounts a ON a.id = o.account_id{where.Replace("block_id", "o.block_id", StringComparison.Ordinal)} ORDER BY o.block_id, o.position",
                p, r => (Block: r.GetInt64(0), Line: new BlockLine(r.GetInt64(1), r.GetInt32(2), r.GetString(3), Scaled.Quantity(r.GetInt64(4)))), tx).ToLookup(x => x.Block, x => x.Line);
            var fills = c.Query($"SELECT block_id, execution_id, trade_date, quantity, price, fee, allocation FROM block_fills{where} ORDER BY id",
                p, r => (Block: r.GetInt64(0), Fill: new StoredBlockFill(r.GetString(1), ParseDate(r.GetString(2)), Scaled.Quantity(r.GetInt64(3)), Scaled.Price(r.GetInt64(4)), Scaled.Money(r.GetInt64(5)), r.GetInt32(6))), tx)
                .ToLookup(x => x.Block, x => x.Fill);
            var allocations = c.Query(
                    $"SELECT x.block_id, x.allocation, a.name, x.proposal_id, x.quantity, x.price, x.amount, x.fee, x.transaction_id FROM block_allocations x JOIN accounts a ON a.id = x.account_id{where.Replace("block_id", "x.block_id", StringComparison.Ordinal)} ORDER BY x.block_id, x.allocation, x.transaction_id",
                    p, r => (Block: r.GetInt64(0), Allocation: new StoredBlockAllocation(r.GetInt32(1), r.GetString(2), r.GetInt64(3), Scaled.Quantity(r.GetInt64(4)), Scaled.Price(r.GetInt64(5)), Scaled.Money(r.GetInt64(6)), Scaled.Money(r.GetInt64(7)), r.GetInt64(8))), tx)
                .ToLookup(x => x.Block, x => x.Allocation);
            var events = c.Query($"SELECT block_id, quantity, note FROM block_events{where} ORDER BY id", p, r => (Block: r.GetInt64(0), Quantity: r.GetInt64(1), Note: r.TextOrNull(2)), tx)
                .GroupBy(e => e.Block).ToDictionary(g => g.Key, g => g.First());
            return c.Query($"SELECT b.id, b.created_at, b.actor, s.ticker, b.side, b.quantity, b.window_id FROM blocks b JOIN securities s ON s.id = b.security_id WHERE b.tenant_id = @tenant{(id is null ? "" : " AND b.id = @id")} ORDER BY b.id",
                    p, r => (Id: r.GetInt64(0), CreatedAt: r.GetString(1), Actor: r.GetString(2), Ticker: r.GetString(3), Side: r.GetString(4), Quantity: r.GetInt64(5), Window: r.TextOrNull(6)), tx)
                .Select(b =>
                {
                    var quantity = Scaled.Quantity(b.Quantity);
                    var filled = fills[b.Id].Sum(f => f.Quantity);
                    var cancelled = events.TryGetValue(b.Id, out var e);
                    var status = cancelled ? BlockStatus.Cancelled : filled >= quantity ? BlockStatus.Filled : filled > 0 ? BlockStatus.PartlyFilled : BlockStatus.Open;
                    return new BlockInfo(b.Id, ParseInstant(b.CreatedAt), b.Actor, b.Ticker, b.Side == "buy" ? OrderSide.Buy : OrderSide.Sell, quantity, b.Window, status,
                        [.. lines[b.Id]], [.. fills[b.Id]], [.. allocations[b.Id]], cancelled ? Scaled.Quantity(e.Quantity) : 0m, cancelled ? e.Note : null);
                }).ToList();
        }

        /// <summary>
        /// Records block fills from a CSV with columns <c>execution_id,block,date,quantity,price</c> and optional <c>fee</c>, and allocates
        /// them: the fills of one block on one date form one allocation, which <paramref name="allocate"/> shares out over the accounts that
        /// still have shares due in the block (the operations layer's rule). Each account's part is recorded through the same path as a
        /// per-account fill (ledger, lots, cash, proposal status; no over-fill, no negative cash without margin), under the execution id
        /// <c>block-ID.N:ACCOUNT</c>. A fill whose execution id is recorded with the same contents is a no-op; with different contents, a
        /// conflict. A fill for more than the block has unfilled, for a cancelled block, or a bad cell refuses the whole file (file, line, field).
        /// With <see cref="UnfilledRest.Cancel"/> the rest of every block the file fills is cancelled afterwards.
        /// </summary>
        public BlockFillsResult ImportBlockFills(string path, Func<BlockBatch, IReadOnlyList<AccountShare>> allocate, UnfilledRest rest = UnfilledRest.Carry, string? displayName = null)
        {
            ArgumentNullException.ThrowIfNull(allocate);
            var file = CsvFile.Read(path, ["execution_id", "block", "date", "quantity", "price"], displayName);
            var problems = new List<InputProblem>();
            var rows = new List<(int Line, BlockFillRow Row)>();
            var iFee = file.IndexOf("fee");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in file.Rows)
            {
                var before = problems.Count;
                string Need(string col) => file.Required(row, col, problems);
                var exec = Need("execution_id");
                var blockText = Need("block");
                var dateText = Need("date");
                var qtyText = Need("quantity");
                var priceText = Need("price");
                if (problems.Count > before) continue;
                if (!seen.Add(exec)) problems.Add(new($"execution {exec} appears twice in the file", file.Name, row.Line, Field: "execution_id"));
                if (!long.TryParse(blockText, NumberStyles.None, CultureInfo.InvariantCulture, out var block)) problems.Add(new($"block '{blockText}' is not a block id", file.Name, row.Line, Field: "block"));
                var date = CsvValues.Date(dateText);
                if (date is null) problems.Add(new($"'{dateText}' is not a date", file.Name, row.Line, Field: "date"));
                else if (date > Today) problems.Add(new($"date {FormatDate(date.Value)} is in the future (today is {FormatDate(Today)})", file.Name, row.Line, Field: "date"));
                var qty = CsvValues.Number(qtyText);
                if (qty is null || qty <= 0 || !Scaled.TryToStored(qty.Value, Scaled.QuantityScale, out _))
                    problems.Add(new($"quantity '{qtyText}' is not a positive number of shares with at most 6 decimals", file.Name, row.Line, Field: "quantity"));
                var price = CsvValues.Number(priceText);
                if (price is null || price <= 0 || !Scaled.TryToStored(price.Value, Scaled.PriceScale, out _))
                    problems.Add(new($"price '{priceText}' is not a positive price with at most 6 decimals", file.Name, row.Line, Field: "price"));
                var feeText = CsvFile.Cell(row, iFee);
                var fee = CsvValues.IsBlank(feeText) ? 0 : CsvValues.Number(feeText);
                if (fee is null || fee < 0 || !Scaled.TryToStored(fee.Value, Scaled.MoneyScale, out _)) problems.Add(new($"fee '{feeText}' is not an amount of 0 or more", file.Name, row.Line, Field: "fee"));
                if (problems.Count > before) continue;
                rows.Add((row.Line, new BlockFillRow(exec, block, date!.Value, qty!.Value, price!.Value, fee!.Value)));
            }
            if (problems.Count > 0) throw new InputException(problems);

            // A file whose every fill is already recorded, the same, changes nothing: not even the audit trail.
            var fresh = Read(c => NewBlockFills(c, null, Tenant, rows, file.Name));
            if (fresh.Count == 0)
                return new BlockFillsResult(rows.Count, 0, rows.Count, [], [], $"0 block fills recorded, {rows.Count} already recorded");
            return Write("import block fills", scope =>
            {
                var news = NewBlockFills(scope.Connection, scope.Transaction, scope.Tenant, rows, file.Name);
                var importId = RecordImport(scope, "block fills", file);
                // The import's event comes before the events of the blocks it fills (a refused file rolls both back).
                var touched = news.Select(n => n.Row.BlockId).Distinct().ToList();
                scope.Event(EventKinds.FillsImported, file.Name, EventJson.Of(("import", importId), ("source", "blocks"), ("rows", rows.Count), ("recorded", news.Count), ("duplicates", rows.Count - news.Count), ("blocks", touched)));
                var result = RecordBlockFills(scope, news, rows.Count, file.Name, importId, allocate, rest);
                return (result, $"imported block fills from {file.Name}: {result.Summary}");
            });
        }

        /// <summary>
        /// Records block fills not recorded yet and allocates them: the fills of one block on one date form one allocation, shared by
        /// <paramref name="allocate"/> over the accounts with shares due and recorded through the per-account fill path. Problems refuse
        /// them all, naming <paramref name="source"/> and the row's line.
        /// </summary>
        private BlockFillsResult RecordBlockFills(WriteScope scope, List<(int Line, BlockFillRow Row)> news, int rowCount, string source, long? importId,
            Func<BlockBatch, IReadOnlyList<AccountShare>> allocate, UnfilledRest rest)
        {
            var problems = new List<InputProblem>();
            var blocks = ReadBlocks(scope.Connection, scope.Transaction, scope.Tenant, null).ToDictionary(b => b.Id);
            var securities = scope.SecurityIds();
            var accountIds = scope.Query("SELECT name, id, execution, model_id FROM accounts WHERE tenant_id = @tenant", new { tenant = scope.Tenant }, r => (Name: r.GetString(0), Id: r.GetInt64(1), Execution: r.TextOrNull(2), Model: r.LongOrNull(3)))
                .ToDictionary(a => a.Name, StringComparer.Ordinal);
            var modelExecution = scope.Query(
                    "SELECT v.model_id, v.execution FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.tenant_id = @tenant AND v.version = (SELECT MAX(w.version) FROM model_versions w WHERE w.model_id = v.model_id)",
                    new { tenant = scope.Tenant }, r => (Model: r.GetInt64(0), Execution: r.TextOrNull(1)))
                .ToDictionary(m => m.Model, m => m.Execution);
            foreach (var (line, f) in news)
            {
                if (!blocks.TryGetValue(f.BlockId, out var b)) problems.Add(new($"block {f.BlockId} does not exist", source, LineOf(line), Field: "block"));
                else if (b.Status == BlockStatus.Cancelled) problems.Add(new($"block {f.BlockId} is cancelled; a fill cannot execute it", source, LineOf(line), Field: "block"));
            }
            if (problems.Count > 0) throw new InputException(problems);

            // An account whose proposal was cancelled (or expired) since the block was made takes no more shares.
            var closedProposals = ProposalStates(scope.Connection, scope.Transaction, news.SelectMany(n => blocks[n.Row.BlockId].Lines.Select(l => l.ProposalId)).Distinct().ToList(), scope.Tenant)
                .Values.Where(p => p.Status is ProposalStatus.Cancelled or ProposalStatus.Expired).Select(p => p.Id).ToHashSet();
            // Fills of one block on one date are one allocation, in the order the file first names them.
            var batches = news.GroupBy(n => (n.Row.BlockId, n.Row.Date)).ToList();
            var filled = blocks.Values.ToDictionary(b => b.Id, b => b.Filled);
            var allocated = blocks.Values.ToDictionary(b => b.Id, b => b.Allocations.GroupBy(a => a.Account).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity), StringComparer.Ordinal));
            var next = blocks.Values.ToDictionary(b => b.Id, b => b.Fills.Count == 0 ? 1 : b.Fills.Max(x => x.Allocation) + 1);
            var fillRows = new List<object?[]>();
            var allocationRows = new List<(long Block, int Allocation, long Account, long Proposal, AccountShare Share, string ExecutionId)>();
            var ledgerFills = new List<(int? Line, Fill Fill)>();
            var notionals = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var batch in batches)
            {
                var b = blocks[batch.Key.BlockId];
                foreach (var (line, f) in batch)
                {
                    var after = filled[b.Id] + f.Quantity;
                    if (after > b.Quantity)
                        problems.Add(new($"this fill takes block {b.Id} ({b.Ticker} {b.Side.ToText()} {Scaled.Format(b.Quantity)}) to {Scaled.Format(after)} filled, beyond the block",
                            source, LineOf(line), Field: "quantity"));
                    filled[b.Id] = after;
                }
                if (problems.Count > 0) continue;
                var n = next[b.Id]++;
                var firstLine = batch.First().Line;
                var due = b.Lines.GroupBy(l => l.Account).Select(g =>
                {
                    var acct = accountIds[g.Key];
                    var left = closedProposals.Contains(g.First().ProposalId) ? 0m : g.Sum(l => l.Quantity) - allocated[b.Id].GetValueOrDefault(g.Key);
                    return new BlockAccountDue(g.Key, g.First().ProposalId, left,
                        acct.Model is { } m ? modelExecution.GetValueOrDefault(m) : null, acct.Execution);
                }).ToList();
                IReadOnlyList<AccountShare> shares;
                try { shares = allocate(new BlockBatch(b, n, due, [.. batch.Select(x => x.Row)])); }
                catch (Exception e) when (e is ArgumentException or InputException)
                {
                    problems.Add(new($"block {b.Id}'s fills of {FormatDate(batch.Key.Date)} cannot be allocated: {(e is InputException ie ? string.Join("; ", ie.Problems.Select(p => p.Message)) : e.Message.Split(" (Parameter", 2)[0])}",
                        source, LineOf(firstLine), Field: "quantity"));
                    continue;
                }
                if (shares.Sum(s => s.Quantity) != batch.Sum(x => x.Row.Quantity) || shares.Any(s => s.Quantity < 0 || s.Quantity > Math.Max(0, due.Single(d => d.Account == s.Account).Remaining)))
                    throw new InvalidOperationException($"the allocation of block {b.Id} does not share out its fills within what the accounts have due");
                foreach (var (line, f) in batch)
                    fillRows.Add([scope.NextId("block_fills"), b.Id, f.ExecutionId, FormatDate(f.Date), Scaled.RoundToStored(f.Quantity, Scaled.QuantityScale),
                        Scaled.RoundToStored(f.Price, Scaled.PriceScale), Scaled.Money(f.Fee), n, importId, scope.Now, scope.Tenant]);
                foreach (var s in shares.Where(s => s.Quantity > 0))
                {
                    var d = due.Single(x => x.Account == s.Account);
                    var exec = $"block-{b.Id}.{n}:{s.Account}";
                    ledgerFills.Add((LineOf(firstLine), new Fill(exec, s.Account, batch.Key.Date, b.Ticker, b.Side, s.Quantity, s.Price, s.Fee, d.ProposalId)));
                    notionals[exec] = Scaled.Money(s.Amount);
                    allocationRows.Add((b.Id, n, accountIds[s.Account].Id, d.ProposalId, s, exec));
                    allocated[b.Id][s.Account] = allocated[b.Id].GetValueOrDefault(s.Account) + s.Quantity;
                }
            }
            if (problems.Count > 0) throw new InputException(problems);
            // By date, sells before buys so a day's sale proceeds pay for its buys (AppendFills records them by date, keeping this order).
            ledgerFills = [.. ledgerFills.OrderBy(f => f.Fill.Date).ThenBy(f => f.Fill.Side == OrderSide.Sell ? 0 : 1)];
            var (added, duplicates) = AppendFills(scope, ledgerFills, source, importId, false, notionals, "block fill");
            if (duplicates > 0) throw new InvalidOperationException("a block allocation's execution id is already in the ledger");
            scope.Insert("block_fills", ["id", "block_id", "execution_id", "trade_date", "quantity", "price", "fee", "allocation", "import_id", "recorded_at", "tenant_id"], fillRows);
            var txnByExec = ledgerFills.Select(f => f.Fill.ExecutionId).Zip(added).ToDictionary(x => x.First, x => x.Second, StringComparer.Ordinal);
            foreach (var a in allocationRows)
                scope.Execute("INSERT INTO block_allocations (block_id, allocation, account_id, proposal_id, quantity, price, amount, fee, transaction_id) VALUES (@block, @n, @account, @proposal, @q, @price, @amount, @fee, @txn)",
                    new { block = a.Block, n = a.Allocation, account = a.Account, proposal = a.Proposal, q = Scaled.RoundToStored(a.Share.Quantity, Scaled.QuantityScale),
                        price = Scaled.RoundToStored(a.Share.Price, Scaled.PriceScale), amount = Scaled.Money(a.Share.Amount), fee = Scaled.Money(a.Share.Fee), txn = txnByExec[a.ExecutionId] });
            var touched = batches.Select(b => b.Key.BlockId).Distinct().ToList();
            foreach (var id in touched.Where(id => blocks[id].Filled < blocks[id].Quantity && filled[id] >= blocks[id].Quantity)) scope.Event(EventKinds.BlockFilled, Subject(id), EventJson.Of(("ticker", blocks[id].Ticker), ("side", blocks[id].Side.ToText()), ("quantity", blocks[id].Quantity)));
            var cancelled = new List<long>();
            if (rest == UnfilledRest.Cancel)
                cancelled = CancelRests(scope, [.. touched.Select(id => blocks[id])], filled, $"unfilled rest cancelled after the fills of {source}");
            var summary = $"{news.Count} block fills recorded for blocks {string.Join(", ", touched)}, {rowCount - news.Count} already recorded"
                + (cancelled.Count > 0 ? $"; unfilled rest cancelled in blocks {string.Join(", ", cancelled)}" : "");
            static int? LineOf(int line) => line > 0 ? line : null;
            return new BlockFillsResult(rowCount, news.Count, rowCount - news.Count, touched, cancelled, summary);
        }

        /// <summary>Cancels the unfilled rest of a block (and every proposal whose blocks are then all closed but not all filled).</summary>
        /// <exception cref="InputException">No such block, or it is filled or cancelled already.</exception>
        public BlockStatus CancelBlock(long id, string? note = null) => Write("block cancel", scope =>
        {
            var b = ReadBlocks(scope.Connection, scope.Transaction, scope.Tenant, id).SingleOrDefault()
                ?? throw new InputException(new InputProblem($"block {id} does not exist", Field: "BLOCK"));
            if (b.Status is BlockStatus.Filled or BlockStatus.Cancelled)
                throw new InputException(new InputProblem($"block {id} is {b.Status.ToText()}; it has no rest to cancel", Field: "BLOCK"));
            CancelRests(scope, [b], new Dictionary<long, decimal> { [b.Id] = b.Filled }, note ?? "unfilled rest cancelled by hand");
            return (BlockStatus.Cancelled, $"block {id}: {Scaled.Format(b.Unfilled)} unfilled {b.Ticker} cancelled");
        });

        private List<long> CancelRests(WriteScope scope, IReadOnlyList<BlockInfo> blocks, IReadOnlyDictionary<long, decimal> filled, string note)
        {
            var cancelled = new List<long>();
            foreach (var b in blocks)
            {
                var rest = b.Quantity - filled[b.Id];
                if (rest <= 0 || b.Status == BlockStatus.Cancelled) continue;
                scope.Execute("INSERT INTO block_events (id, block_id, status, quantity, at, actor, note) VALUES (@eid, @id, 'cancelled', @q, @at, @actor, @note)",
                    new { eid = scope.NextId("block_events"), id = b.Id, q = Scaled.RoundToStored(rest, Scaled.QuantityScale), at = scope.Now, actor = Options.Actor, note });
                scope.Event(EventKinds.BlockCancelled, Subject(b.Id), EventJson.Of(("ticker", b.Ticker), ("side", b.Side.ToText()), ("cancelled", rest), ("note", note)));
                cancelled.Add(b.Id);
            }
            if (cancelled.Count == 0) return cancelled;
            // A proposal is cancelled once every block holding its orders is closed (filled or cancelled) and one was cancelled.
            var proposals = blocks.Where(b => cancelled.Contains(b.Id)).SelectMany(b => b.Lines.Select(l => l.ProposalId)).Distinct().ToArray();
            var blocksOf = scope.Query("SELECT DISTINCT proposal_id, block_id FROM block_orders WHERE proposal_id IN @proposals", new { proposals }, r => (Proposal: r.GetInt64(0), Block: r.GetInt64(1)))
                .ToLookup(x => x.Proposal, x => x.Block);
            var all = ReadBlocks(scope.Connection, scope.Transaction, scope.Tenant, null).ToDictionary(b => b.Id);
            bool Closed(long id) => cancelled.Contains(id) || all[id].Status == BlockStatus.Cancelled || (filled.TryGetValue(id, out var f) ? f : all[id].Filled) >= all[id].Quantity;
            var states = ProposalStates(scope.Connection, scope.Transaction, proposals, scope.Tenant);
            foreach (var p in proposals.Order())
            {
                if (!blocksOf[p].All(Closed) || !states[p].Status.IsOpen()) continue;
                scope.Execute("INSERT INTO proposal_events (id, proposal_id, status, at, actor, note) VALUES (@eid, @id, 'cancelled', @at, @actor, @note)",
                    new { eid = scope.NextId("proposal_events"), id = p, at = scope.Now, actor = Options.Actor, note = $"the unfilled rest of block {string.Join(", ", blocksOf[p].Where(cancelled.Contains))} was cancelled" });
                scope.Event(EventKinds.ProposalCancelled, Subject(p), EventJson.Of(("from", states[p].Status.ToText()), ("note", $"the unfilled rest of block {string.Join(", ", blocksOf[p].Where(cancelled.Contains))} was cancelled")));
                ReopenCashNeeds(scope, p);
            }
            return cancelled;
        }

        /// <summary>The rows whose execution id is not recorded yet; a recorded one with other contents is a conflict.</summary>
        private static List<(int Line, BlockFillRow Row)> NewBlockFills(DbConnection c, DbTransaction? tx, long tenant, List<(int Line, BlockFillRow Row)> rows, string file)
        {
            var recorded = c.Query("SELECT execution_id, block_id, trade_date, quantity, price, fee FROM block_fills WHERE tenant_id = @tenant", new { tenant },
                    r => (Exec: r.GetString(0), Block: r.GetInt64(1), Date: r.GetString(2), Quantity: r.GetInt64(3), Price: r.GetInt64(4), Fee: r.GetInt64(5)), tx)
                .ToDictionary(x => x.Exec, StringComparer.Ordinal);
            var problems = new List<InputProblem>();
            var fresh = new List<(int, BlockFillRow)>();
            foreach (var (line, f) in rows)
            {
                if (!recorded.TryGetValue(f.ExecutionId, out var old)) { fresh.Add((line, f)); continue; }
                var d = new List<string>();
                if (old.Block != f.BlockId) d.Add($"block (recorded for block {old.Block})");
                if (old.Date != FormatDate(f.Date)) d.Add($"date (recorded on {old.Date})");
                if (old.Quantity != Scaled.RoundToStored(f.Quantity, Scaled.QuantityScale)) d.Add($"quantity (recorded {Scaled.Format(Scaled.Quantity(old.Quantity))})");
                if (old.Price != Scaled.RoundToStored(f.Price, Scaled.PriceScale)) d.Add($"price (recorded {Scaled.Format(Scaled.Price(old.Price))})");
                if (old.Fee != Scaled.Money(f.Fee)) d.Add($"fee (recorded {Scaled.Format(Scaled.Money(old.Fee))})");
                if (d.Count > 0)
                    problems.Add(new($"execution {f.ExecutionId} is already recorded with a different {string.Join(", ", d)}; an execution id names one fill, so this one is refused as a conflict",
                        file, line, Field: "execution_id"));
            }
            if (problems.Count > 0) throw new InputException(problems);
            return fresh;
        }

    }
}
