using System.Text.Json;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary>
/// <c>ballast firm</c>, <c>ballast cash-needs</c>, <c>ballast proposals reject</c> and the window's blocks (<c>window run --blocks</c>,
/// <c>window blocks</c>) on an SQLite store: two accounts on core (60/40, to target when a weight leaves its ±20 % band), both at 80/20:
/// big (300,000: sells 600 VTI and buys 600 BND, 120,000 traded) and small (30,000: 60 and 60, 12,000 traded).
/// </summary>
public sealed class FirmCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public FirmCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Db = _db;
        _cli.Now = new(2026, 3, 2, 16, 0, 0, TimeSpan.Zero);
        _cli.Width = 240;
        _cli.Write("prices.csv", "date,VTI,BND\n2026-02-26,100,100\n");
        _cli.Write("target.yaml", "{ look: daily, trigger: threshold, relative: 20% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nbig,taxable,USD,,core\nsmall,taxable,USD,,core\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nbig,VTI,2400,1\nbig,BND,600,1\nsmall,VTI,240,1\nsmall,BND,60,1\n");
        _cli.Write("calendar.yaml", "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=60%,BND=40%", "--policy-file", "target.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2026-02-26");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run(args);

    private string Ok(params string[] args) => _cli.Ok(args);

    private string Refused(string field, params string[] args)
    {
        var (exit, _, stderr) = Run(args);
        Assert.True(exit == 2, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        Assert.Contains(field, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        return stderr;
    }


    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Fact]
    public void FirmSet_StoresEachSetting_ShowReportsThemWithDefaults_AndBadValuesExit2NamingTheFlag()
    {
        var defaults = Json(Ok("firm", "show", "--json"));
        Assert.Equal(("none", true), (defaults.GetProperty("approval").GetProperty("value").GetString(), defaults.GetProperty("approval").GetProperty("default").GetBoolean()));
        Assert.Equal("carry", defaults.GetProperty("unfilled").GetProperty("value").GetString());
        Assert.Equal("off", defaults.GetProperty("netting").GetProperty("value").GetString());

        Assert.Contains("approval: above 50000 USD; unfilled: cancel; netting: on", Ok("firm", "set", "--approval", "above 50,000 USD", "--unfilled", "cancel", "--netting", "on"), StringComparison.Ordinal);
        var shown = Json(Ok("firm", "show", "--json"));
        var approval = shown.GetProperty("approval");
        Assert.Equal(("above 50000 USD", 50000m, "USD", false), (approval.GetProperty("value").GetString(), approval.GetProperty("amount").GetDecimal(),
            approval.GetProperty("currency").GetString(), approval.GetProperty("default").GetBoolean()));
        Assert.Contains("| approval | above 50000 USD |", Ok("firm", "show"), StringComparison.Ordinal);

        Refused("--approval", "firm", "set", "--approval", "some");
        Refused("--approval", "firm", "set", "--approval", "above 0 USD");
        Refused("--approval", "firm", "set", "--approval", "above 50000 dollars");
        Refused("--unfilled", "firm", "set", "--unfilled", "keep");
        Refused("--netting", "firm", "set", "--netting", "yes");
        Refused("--approval", "firm", "set");
        // A bad value among good ones changes nothing.
        Refused("--netting", "firm", "set", "--approval", "all", "--netting", "maybe");
        Assert.Equal("above 50000 USD", Json(Ok("firm", "show", "--json")).GetProperty("approval").GetProperty("value").GetString());
        Assert.Contains("firm settings", Ok("audit"), StringComparison.Ordinal);
    }

    [Fact]
    public void WindowRun_WithApprovalAbove50000_HoldsTheLargeProposal_RejectIsAudited_AndWindowBlocksGathersTheApproved()
    {
        Ok("firm", "set", "--approval", "above 50000 USD");

        var run = Json(Ok("window", "run", "--calendar", "calendar.yaml", "--json", "--blocks"));
        Assert.Equal("proposed", run.GetProperty("status").GetString()); // big waits outside the blocks
        Assert.Equal(2, run.GetProperty("blocks").GetArrayLength()); // small's sell of VTI and buy of BND
        var proposals = run.GetProperty("proposals").EnumerateArray().ToDictionary(p => p.GetProperty("account").GetString()!, p => p.GetProperty("proposal").GetInt64());
        var verdicts = Json(Ok("window", "show", "2026-03-02T10:00", "--json")).GetProperty("accounts").EnumerateArray()
            .ToDictionary(a => a.GetProperty("account").GetString()!, a => a.GetProperty("reason").GetString()!);
        Assert.EndsWith("awaiting approval (above 50,000 USD): trades 120,000 USD", verdicts["big"], StringComparison.Ordinal);
        Assert.DoesNotContain("awaiting", verdicts["small"], StringComparison.Ordinal);
        Assert.Contains("proposed", Ok("proposals", "show", proposals["big"].ToString(System.Globalization.CultureInfo.InvariantCulture)), StringComparison.Ordinal);

        var big = proposals["big"].ToString(System.Globalization.CultureInfo.InvariantCulture);
        Refused("--reason", "proposals", "reject", big);
        Refused("--reason", "proposals", "reject", big, "--reason", "  ");
        Assert.Contains("is rejected (was proposed): client objects", Ok("proposals", "reject", big, "--reason", "client objects"), StringComparison.Ordinal);
        Refused("PROPOSAL", "proposals", "reject", big, "--reason", "twice");
        Refused("PROPOSAL", "proposals", "reject", "99", "--reason", "none such");
        var small = proposals["small"].ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("is in block", Refused("PROPOSAL", "proposals", "reject", small, "--reason", "late"), StringComparison.Ordinal);
        Assert.Contains($"proposal {big}: proposed -> rejected: client objects", Ok("audit"), StringComparison.Ordinal);
        Assert.Contains("rejected", Ok("proposals", "list", "--status", "rejected"), StringComparison.Ordinal);

        // Nothing waits now: the run is sent.
        Assert.Contains("0 blocks created; run sent", Ok("window", "blocks", "2026-03-02T10:00"), StringComparison.Ordinal);
        Refused("WINDOW", "window", "blocks", "2026-03-04T10:00");
        // The rejected account is due again at the next window (cooldown aside: no cooldown in the default schedule).
        var next = Json(Ok("window", "run", "--calendar", "calendar.yaml", "--at", "2026-03-04T10:00", "--json"));
        Assert.Contains(next.GetProperty("proposals").EnumerateArray(), p => p.GetProperty("account").GetString() == "big");
    }

    [Fact]
    public void WindowBlocks_AfterApprovalAll_GathersNothingUntilApproved()
    {
        Ok("firm", "set", "--approval", "all");
        var run = Json(Ok("window", "run", "--calendar", "calendar.yaml", "--json"));
        Assert.Contains("0 blocks created; run proposed", Ok("window", "blocks", "2026-03-02T10:00"), StringComparison.Ordinal);
        Assert.Contains("no proposal to gather", Ok("blocks", "create", "--window", "2026-03-02T10:00"), StringComparison.Ordinal);
        foreach (var p in run.GetProperty("proposals").EnumerateArray())
            Ok("proposals", "approve", p.GetProperty("proposal").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("2 blocks created; run sent", Ok("window", "blocks", "2026-03-02T10:00"), StringComparison.Ordinal);
        Assert.Contains("| sent ", Ok("window", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public void BlocksFillsImport_WithoutUnfilled_TakesTheFirmsSetting_AndABadValueExits2()
    {
        Ok("firm", "set", "--unfilled", "cancel");
        Ok("window", "run", "--calendar", "calendar.yaml", "--blocks");
        var blocks = Json(Ok("blocks", "list", "--json")).EnumerateArray().ToList();
        var fills = string.Join("", blocks.Select((b, i) => $"e-{i},{b.GetProperty("id").GetInt64()},2026-03-02,10,100\n"));
        _cli.Write("fills.csv", "execution_id,block,date,quantity,price\n" + fills);
        Refused("--unfilled", "blocks", "fills", "import", "fills.csv", "--unfilled", "later");

        Ok("blocks", "fills", "import", "fills.csv");

        Assert.All(Json(Ok("blocks", "list", "--json")).EnumerateArray(), b => Assert.Equal("cancelled", b.GetProperty("status").GetString()));
        Assert.Contains("| completed-adjusted ", Ok("window", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public void CashNeeds_AddListCancel_AndTheNextWindowRaisesThem_BadInputExits2()
    {
        Assert.Contains("cash need 1: small needs 1,000.00 by 2026-03-20", Ok("cash-needs", "add", "small", "1000", "--by", "2026-03-20", "--note", "tuition"), StringComparison.Ordinal);
        Ok("cash-needs", "add", "big", "250.50", "--by", "2026-03-20");
        Refused("--by", "cash-needs", "add", "small", "10", "--by", "20/03/2026");
        Refused("--by", "cash-needs", "add", "small", "10");
        Refused("AMOUNT", "cash-needs", "add", "small", "-10", "--by", "2026-03-20");
        Refused("ACCOUNT", "cash-needs", "add", "nobody", "10", "--by", "2026-03-20");
        Refused("ID", "cash-needs", "cancel", "7");
        Assert.Contains("cash need 2 cancelled", Ok("cash-needs", "cancel", "2"), StringComparison.Ordinal);
        Refused("ID", "cash-needs", "cancel", "2");

        var open = Json(Ok("cash-needs", "list", "--open", "--json"));
        var need = Assert.Single(open.EnumerateArray());
        Assert.Equal(("small", 1000m, "USD", "2026-03-20", "open", "tuition"), (need.GetProperty("account").GetString(), need.GetProperty("amount").GetDecimal(),
            need.GetProperty("currency").GetString(), need.GetProperty("neededBy").GetString(), need.GetProperty("status").GetString(), need.GetProperty("note").GetString()));

        // Recorded at 16:00 UTC, after the cut-off of 2026-03-02: the window of 2026-03-04 raises it.
        var run = Json(Ok("window", "run", "--calendar", "calendar.yaml", "--at", "2026-03-04T10:00", "--json"));
        var proposal = run.GetProperty("proposals").EnumerateArray().Single(p => p.GetProperty("account").GetString() == "small").GetProperty("proposal").GetInt64();
        var raised = Json(Ok("cash-needs", "list", "--json")).EnumerateArray().Single(n => n.GetProperty("id").GetInt64() == 1);
        Assert.Equal(("raised", proposal), (raised.GetProperty("status").GetString(), raised.GetProperty("proposal").GetInt64()));
        Assert.Empty(Json(Ok("cash-needs", "list", "--open", "--json")).EnumerateArray());
        Assert.Contains("| cancelled |", Ok("cash-needs", "list"), StringComparison.Ordinal);
    }
}
