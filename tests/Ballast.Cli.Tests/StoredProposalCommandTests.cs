using System.Text.Json;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary>
/// Complete proposals, their status, reconciled fills, monitoring and the list commands through the command line, on
/// an SQLite store. Model <c>core</c> targets GLD, which no account holds, and is looked at monthly.
/// </summary>
public sealed class StoredProposalCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public StoredProposalCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Db = _db;
        _cli.Now = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);
        _cli.Width = 200;
        _cli.Write("prices.csv", "date,VTI,BND,GLD\n2025-06-27,300,75,180\n2025-06-30,310,74,185\n");
        _cli.Write("monthly.yaml", "{ look: monthly, trigger: threshold, absolute: 5% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nalice,taxable,USD,smith,core\nbob,tax-deferred,USD,smith,core\ncarol,taxable,USD,,\n");
        // alice: 20 VTI (6,200) + 40 BND (2,960). bob: 30 VTI (9,300) + 10 BND (740) + 500 cash. Neither holds GLD.
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nalice,VTI,20,5000\nalice,BND,40,3000\nalice,CASH,0,\nbob,VTI,30,7000\nbob,BND,10,800\nbob,CASH,500,\ncarol,CASH,100,\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=50%,BND=30%,GLD=20%", "--policy-file", "monthly.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2025-06-30");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run(args);

    private string Ok(params string[] args) => _cli.Ok(args);


    private static List<string> Rows(string csv, string account) =>
        csv.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith(account + ",", StringComparison.Ordinal)).ToList();

    private long Save(string account)
    {
        var (exit, _, stderr) = Run("plan", "--account", account, "--as-of", "2025-06-30", "--save", "--csv");
        Assert.True(exit == 0, stderr);
        return long.Parse(stderr.Trim().Split(' ').Last(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void PlanSave_ABuyOfATickerTheAccountDoesNotHold_IsExportedWithItsQuantity()
    {
        var (exit, plan, stderr) = Run("plan", "--account", "alice", "--as-of", "2025-06-30", "--save", "--csv");
        Assert.Equal(0, exit);
        var trades = Rows(plan, "alice");
        Assert.Contains(trades, t => t.StartsWith("alice,GLD,buy,", StringComparison.Ordinal) && t.Split(',')[3].Length > 0);
        Assert.All(trades, t => Assert.NotEqual("", t.Split(',')[3]));
        var id = stderr.Trim().Split(' ').Last();

        var orders = Ok("orders", "export", id, "--csv").ReplaceLineEndings("\n").Trim().Split('\n').Skip(1).ToList();
        Assert.Equal(trades.Count, orders.Count);
        // proposal,line,account,ticker,side,quantity,price equals the plan's account,ticker,side,quantity for every trade.
        Assert.Equal(trades.Select(t => string.Join(',', t.Split(',')[..4])), orders.Select(o => string.Join(',', o.Split(',')[2..6])));
        Assert.Contains($"proposal {id} for account alice: {orders.Count} orders", Ok("audit"));
    }

    [Fact]
    public void PlanWholeShares_BuysATickerTheAccountDoesNotHoldInWholeShares()
    {
        var trades = Rows(Ok("plan", "--account", "alice", "--as-of", "2025-06-30", "--whole-shares", "--csv"), "alice");
        var gld = Assert.Single(trades, t => t.StartsWith("alice,GLD,buy,", StringComparison.Ordinal));
        var quantity = decimal.Parse(gld.Split(',')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(quantity > 0 && quantity == decimal.Truncate(quantity), gld);
    }

    [Fact]
    public void Plan_OneAccountAlone_AndUnderAll_GivesIdenticalTrades()
    {
        // (--household plans the household as one portfolio, with the household planner; --all plans each account alone.)
        // --all includes carol, who follows no model: she is skipped and named, not silently left out, and the exit code is 1.
        var (exit, partial, stderr) = Run("plan", "--all", "--as-of", "2025-06-30", "--csv");
        Assert.Equal(1, exit);
        Assert.Contains("not planned: carol: carol follows no model", stderr);
        Ok("model", "assign", "core", "--account", "carol");
        var all = Ok("plan", "--all", "--as-of", "2025-06-30", "--csv");
        foreach (var account in new[] { "alice", "bob" })
        {
            var alone = Rows(Ok("plan", "--account", account, "--as-of", "2025-06-30", "--csv"), account);
            Assert.NotEmpty(alone);
            Assert.Equal(alone, Rows(all, account));
            Assert.Equal(alone, Rows(partial, account));
        }
    }

    [Fact]
    public void Plan_ATargetWithoutAPrice_IsAnErrorNamingTheTicker()
    {
        var (exit, _, stderr) = Run("plan", "--account", "alice", "--as-of", "2025-06-26", "--save");
        Assert.Equal(2, exit);
        Assert.Contains("has no price on or before 2025-06-26", stderr);
        Assert.Contains("0 proposals", Ok("proposals", "list"));
    }

    [Fact]
    public void Proposals_ListWithStatus_ShowApproveSendCancel()
    {
        var first = Save("alice");
        var second = Save("bob");
        var list = Ok("proposals", "list");
        Assert.Matches($@"\| +{first} \|.*\| account alice +\| proposed ", list);
        Assert.Contains("2 proposals", list);
        Assert.Equal("proposal " + first + " is approved", Ok("proposals", "approve", first.ToString()).Trim());
        Assert.Equal("proposal " + first + " is sent", Ok("proposal", "send", first.ToString()).Trim());
        Assert.Equal("proposal " + second + " is cancelled", Ok("proposals", "cancel", second.ToString(), "--note", "client away").Trim());
        var (exit, _, stderr) = Run("proposals", "approve", second.ToString());
        Assert.Equal(2, exit);
        Assert.Contains($"proposal {second} is cancelled; it cannot be approved", stderr);

        using var doc = JsonDocument.Parse(Ok("proposals", "list", "--json"));
        var statuses = doc.RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("id").GetInt64(), p => p.GetProperty("status").GetString());
        Assert.Equal("sent", statuses[first]);
        Assert.Equal("cancelled", statuses[second]);
        Assert.Contains("account bob", Ok("proposals", "list", "--status", "cancelled"));
        Assert.DoesNotContain("account bob", Ok("proposals", "list", "--status", "sent"));
        Assert.Equal(2, Run("proposals", "list", "--status", "lost").Exit);
        // A newer plan for alice leaves the sent one as it is; a newer plan for an unsent one expires it.
        Save("alice");
        Assert.Contains("sent", Ok("proposals", "show", first.ToString()));
    }

    [Fact]
    public void Fills_ForTheWrongAccount_AnOverfill_AndABuyIntoNegativeCash_AreRefusedWithFileLineAndReason()
    {
        var id = Save("bob");
        using var doc = JsonDocument.Parse(Ok("proposals", "show", id.ToString(), "--json"));
        var gld = doc.RootElement.GetProperty("orders").EnumerateArray().Single(o => o.GetProperty("ticker").GetString() == "GLD");
        var quantity = gld.GetProperty("quantity").GetDecimal();

        _cli.Write("wrong.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nW-1,alice,2025-06-30,GLD,buy,1,185,0,{id}\n");
        var (exit, _, stderr) = Run("fills", "import", "wrong.csv");
        Assert.Equal(2, exit);
        Assert.Contains($"wrong.csv:2: account: proposal {id} has no order for account 'alice'", stderr);

        _cli.Write("over.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nO-1,bob,2025-06-30,GLD,buy,{quantity + 1},185,0,{id}\n");
        (exit, _, stderr) = Run("fills", "import", "over.csv");
        Assert.Equal(2, exit);
        Assert.Contains("over.csv:2: quantity: ", stderr);
        Assert.Contains("beyond the order; give --allow-overfill", stderr);

        // bob has 500 cash: 3 GLD at 185 (555) would take it to -55.
        _cli.Write("cash.csv", "execution_id,account,date,ticker,side,quantity,price\nC-1,bob,2025-06-30,GLD,buy,3,185\n");
        (exit, _, stderr) = Run("fills", "import", "cash.csv");
        Assert.Equal(2, exit);
        Assert.Contains("cash.csv:2: quantity: the buy of 3 GLD would take bob's cash to -55; the account does not allow margin", stderr);
        Assert.DoesNotContain("C-1", Ok("history", "--account", "bob"));
        Ok("accounts", "margin", "bob", "on");
        Ok("fills", "import", "cash.csv");
        Assert.Contains("C-1", Ok("history", "--account", "bob"));
    }

    [Fact]
    public void Monitoring_PartlyFilledStaysDue_CancelledIsDone_AModelChangeMakesEveryAccountDueAndListed()
    {
        var bob = Save("bob");
        using (var doc = JsonDocument.Parse(Ok("proposals", "show", bob.ToString(), "--json")))
        {
            var sell = doc.RootElement.GetProperty("orders").EnumerateArray().First(o => o.GetProperty("side").GetString() == "sell");
            _cli.Write("part.csv", $"execution_id,account,date,ticker,side,quantity,price,fee,proposal\nP-1,bob,2025-06-30,{sell.GetProperty("ticker").GetString()},sell,1,310,0,{bob}\n");
        }
        Ok("fills", "import", "part.csv");
        Assert.Contains("partly filled", Ok("proposals", "list"));
        // Partly filled: the look is still due and bob is still far outside his bands.
        var (exit, stdout, _) = Run("check", "--account", "bob", "--as-of", "2025-07-01", "--json");
        Assert.Equal(1, exit);
        using (var doc = JsonDocument.Parse(stdout)) Assert.True(doc.RootElement.GetProperty("needsRebalancing").GetBoolean());

        // Cancelled by a person: the look is done for this month (bob's cash is withdrawn, so none waits to be placed).
        Ok("proposals", "cancel", bob.ToString());
        Ok("withdraw", "810", "--account", "bob", "--date", "2025-06-30");
        var alice = Save("alice");
        Ok("proposals", "cancel", alice.ToString());
        (exit, stdout, _) = Run("check", "--model", "core", "--as-of", "2025-07-01");
        Assert.Equal(0, exit);
        Assert.Matches(@"\| bob +\| smith +\| not due ", stdout);
        Assert.Matches(@"\| alice +\| smith +\| not due ", stdout);

        // An hour later the model changes: every account on it is due now and listed with its verdict.
        _cli.Now = _cli.Now.AddHours(1);
        Ok("model", "set", "core", "--targets", "VTI=40%,BND=40%,GLD=20%", "--policy-file", "monthly.yaml");
        (exit, stdout, _) = Run("check", "--model", "core", "--as-of", "2025-07-01");
        Assert.Equal(1, exit);
        Assert.Contains("2 of 2 accounts need rebalancing", stdout);
        Assert.Matches(@"\| alice +\| smith +\| rebalance +\|.*model core changed \(version 2", stdout);
        Assert.Matches(@"\| bob +\| smith +\| rebalance ", stdout);
        (exit, stdout, _) = Run("check", "--model", "core", "--as-of", "2025-07-01", "--json");
        Assert.Equal(1, exit);
        using (var doc = JsonDocument.Parse(stdout))
        {
            var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(["alice", "bob"], results.Select(r => r.GetProperty("account").GetString()));
            Assert.All(results, r =>
            {
                Assert.Equal(2, r.GetProperty("modelVersion").GetInt32());
                Assert.Equal("2025-07-01", r.GetProperty("modelChanged").GetString());
                Assert.True(r.GetProperty("lookDue").GetBoolean());
            });
        }
    }

    [Fact]
    public void CheckAll_ReportsAccountsItCannotEvaluateAsRows_AndExitsOne()
    {
        var (exit, stdout, stderr) = Run("check", "--all", "--as-of", "2025-06-30");
        Assert.Equal(1, exit);
        Assert.Equal("", stderr);
        Assert.Contains("1 cannot be checked", stdout);
        Assert.Matches(@"\| carol +\| +\| cannot check +\|.*carol follows no model", stdout);

        (exit, stdout, _) = Run("check", "--all", "--as-of", "2025-06-30", "--json");
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(1, doc.RootElement.GetProperty("errors").GetInt32());
        var carol = doc.RootElement.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("account").GetString() == "carol");
        Assert.Equal("cannot check", carol.GetProperty("verdict").GetString());

        // A bad command line stays exit 2.
        Assert.Equal(2, Run("check", "--all", "--as-of", "not-a-date").Exit);
    }

    [Fact]
    public void Lists_Accounts_Households_Models_Prices()
    {
        var accounts = Ok("accounts", "list");
        Assert.Matches(@"\| alice +\| smith +\| taxable +\| USD +\| core v1 ", accounts);
        Assert.Matches(@"\| carol +\| +\| taxable +\| USD +\| \(none\) ", accounts);
        using (var doc = JsonDocument.Parse(Ok("accounts", "list", "--json")))
            Assert.Equal(["alice", "bob", "carol"], doc.RootElement.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Matches(@"\| smith +\| alice, bob ", Ok("households", "list"));

        Ok("model", "set", "core", "--targets", "VTI=60%,BND=40%");
        Assert.Matches(@"\| core +\| +2 \|.*\| +2 \| BND 40%, VTI 60%", Ok("models", "list"));
        var versions = Ok("model", "list", "core");
        Assert.Matches(@"\| 1 +\|.*\| BND 30%, GLD 20%, VTI 50%", versions);
        Assert.Matches(@"\| 2 +\|.*\| BND 40%, VTI 60%", versions);
        using (var doc = JsonDocument.Parse(Ok("model", "list", "--json")))
            Assert.Equal(2, doc.RootElement[0].GetProperty("versions").GetArrayLength());

        var prices = Ok("prices", "list", "--as-of", "2025-06-30");
        Assert.Matches(@"\| GLD +\| +2 \| 2025-06-27 \| 2025-06-30 \| +185 \| +0 \| +\|", prices);
        Assert.Matches(@"\| VTI +\| +2 \|.*\| +310 \| +2 \| core", prices);
        Assert.Contains("no price on or before 2025-06-26 for BND, VTI", Ok("prices", "list", "--as-of", "2025-06-26"));
    }
}
