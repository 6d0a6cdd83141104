using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary>
/// <c>ballast blocks</c> on an SQLite store: two accounts on model <c>core</c> (which targets GLD, held by neither) save proposals,
/// one approved and one sent; their GLD buys become one block, which fills in part.
/// </summary>
public sealed class BlockCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public BlockCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Db = _db;
        _cli.Now = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);
        _cli.Width = 200;
        _cli.Write("prices.csv", "date,VTI,BND,GLD\n2025-06-27,300,75,180\n2025-06-30,310,74,185\n");
        _cli.Write("monthly.yaml", "{ look: monthly, trigger: threshold, absolute: 5% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nalice,taxable,USD,smith,core\nbob,tax-deferred,USD,smith,core\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nalice,VTI,20,5000\nalice,BND,40,3000\nalice,CASH,0,\nbob,VTI,30,7000\nbob,BND,10,800\nbob,CASH,500,\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=50%,BND=30%,GLD=20%", "--policy-file", "monthly.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2025-06-30");
        // The GLD block fills before the sells that would pay for it: the accounts may go below zero meanwhile.
        Ok("accounts", "margin", "alice", "on");
        Ok("accounts", "margin", "bob", "on");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run(args);

    private string Ok(params string[] args) => _cli.Ok(args);


    private long Save(string account)
    {
        var (exit, _, stderr) = Run("plan", "--account", account, "--as-of", "2025-06-30", "--save", "--csv");
        Assert.True(exit == 0, stderr);
        return long.Parse(stderr.Trim().Split(' ').Last(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public void Blocks_CreateExportFillAllocate_OnAStore()
    {
        var alice = Save("alice");
        var bob = Save("bob");
        Ok("proposals", "approve", alice.ToString(CultureInfo.InvariantCulture));
        Ok("proposals", "send", bob.ToString(CultureInfo.InvariantCulture));

        var created = Ok("blocks", "create", "--proposals", $"{alice},{bob}", "--window", "2025-07-01 open");
        Assert.Contains("blocks created", created);
        // Creating again refuses: the proposals are in blocks.
        var (exit, _, err) = Run("blocks", "create", "--proposals", $"{bob}");
        Assert.Equal(2, exit);
        Assert.Contains($"proposal {bob} is already in block", err);

        using var list = JsonDocument.Parse(Ok("blocks", "list", "--json"));
        var gld = list.RootElement.EnumerateArray().Single(b => b.GetProperty("ticker").GetString() == "GLD" && b.GetProperty("side").GetString() == "buy");
        var id = gld.GetProperty("id").GetInt64();
        var quantity = gld.GetProperty("quantity").GetDecimal();
        Assert.Equal("open", gld.GetProperty("status").GetString());
        Assert.Equal(2, gld.GetProperty("accounts").GetInt32());
        using var exported = JsonDocument.Parse(Ok("blocks", "export", id.ToString(CultureInfo.InvariantCulture), "--json"));
        Assert.Equal(["alice", "bob"], exported.RootElement[0].GetProperty("lines").EnumerateArray().Select(a => a.GetProperty("account").GetString()));
        Assert.Contains("GLD", Ok("blocks", "list"));

        var csv = Ok("blocks", "export", id.ToString(CultureInfo.InvariantCulture), "--csv").ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("block,window,ticker,side,block_quantity,account,proposal,line,quantity,allocated", csv[0]);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith($"{id},2025-07-01 open,GLD,buy,", csv[1]);

        // Half the block, rounded down to a whole share, fills at two prices.
        var half = Math.Floor(quantity / 2);
        var first = Math.Floor(half / 2);
        _cli.Write("fills.csv", $"execution_id,block,date,quantity,price,fee\ne-1,{id},2025-07-01,{first},185,1\ne-2,{id},2025-07-01,{half - first},186,1\n");
        Assert.Contains("2 block fills recorded", Ok("blocks", "fills", "import", "fills.csv"));
        Assert.Contains("0 block fills recorded, 2 already recorded", Ok("blocks", "fills", "import", "fills.csv"));

        using var report = JsonDocument.Parse(Ok("blocks", "allocations", id.ToString(CultureInfo.InvariantCulture), "--json"));
        var r = report.RootElement;
        Assert.Equal("partly filled", r.GetProperty("status").GetString());
        Assert.Equal(half, r.GetProperty("filled").GetDecimal());
        Assert.Equal(half, r.GetProperty("report").EnumerateArray().Sum(a => a.GetProperty("allocated").GetDecimal()));
        Assert.Equal(2m, r.GetProperty("report").EnumerateArray().Sum(a => a.GetProperty("fee").GetDecimal()));
        Assert.Equal(half, r.GetProperty("allocations").EnumerateArray().Sum(a => a.GetProperty("quantity").GetDecimal()));
        Assert.Contains("block", Ok("blocks", "allocations", id.ToString(CultureInfo.InvariantCulture)));
        Assert.Contains("partly filled", Ok("proposals", "show", alice.ToString(CultureInfo.InvariantCulture)));
        Assert.Contains("allocated", Ok("blocks", "export", "--open", "--json"));

        // A bad row refuses the whole file, naming file, line and field; a fill beyond the block too.
        _cli.Write("bad.csv", $"execution_id,block,date,quantity,price\ne-3,{id},2025-07-01,1,185\ne-4,{id},2025-07-01,1,x\n");
        var bad = Run("blocks", "fills", "import", "bad.csv");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("bad.csv:3: price:", bad.Err);
        _cli.Write("over.csv", $"execution_id,block,date,quantity,price\ne-5,{id},2025-07-01,{quantity},185\n");
        var over = Run("blocks", "fills", "import", "over.csv");
        Assert.Equal(2, over.Exit);
        Assert.Contains("over.csv:2: quantity:", over.Err);

        Assert.Contains("unfilled rest cancelled", Ok("blocks", "cancel", id.ToString(CultureInfo.InvariantCulture)));
        Assert.Contains("cancelled", Ok("blocks", "list"));
        Assert.Equal(0, Run("verify").Exit);
    }
}
