using System.Text.Json;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary><c>ballast schedule</c> and <c>ballast window</c> on an SQLite store, with the shipped calendar's shape.</summary>
public sealed class WindowCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public WindowCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Db = _db;
        _cli.Now = new(2026, 3, 2, 16, 0, 0, TimeSpan.Zero);
        _cli.Width = 200;
        _cli.Write("prices.csv", "date,VTI,BND\n2026-02-26,100,100\n");
        _cli.Write("rails.yaml", "{ look: daily, trigger: threshold, relative: 20%, rebalanceTo: inner-rail, rail: 10% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nbig,taxable,USD,,core\nheld,taxable,USD,,core\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nbig,VTI,240,1\nbig,BND,60,1\nheld,VTI,240,1\nheld,BND,60,1\n");
        _cli.Write("calendar.yaml", "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        _cli.Write("schedule.yaml", "tiers:\n  - { from: 25000, look: every window }\n  - { from: 0, look: semiannual }\npauseAfterRebalance: 6 months\ncooldown: 1 day\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=60%,BND=40%", "--policy-file", "rails.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2026-02-26");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run(args);

    private string Ok(params string[] args) => _cli.Ok(args);


    private long CountProposals()
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM proposals";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public void WindowRun_RunsTheLatestWindow_SavesAProposalPerTradingAccount_AndARerunAddsNothing()
    {
        Ok("schedule", "set", "schedule.yaml");
        Ok("window", "hold", "held", "--reason", "client call");

        // 16:00 UTC is 11:00 in New York: the window of 10:00 that day.
        var json = JsonDocument.Parse(Ok("window", "run", "--calendar", "calendar.yaml", "--json")).RootElement;
        Assert.Equal("2026-03-02T10:00", json.GetProperty("window").GetString());
        Assert.Equal("proposed", json.GetProperty("status").GetString());
        Assert.Equal((2, 1, 1, 1), (json.GetProperty("accounts").GetInt32(), json.GetProperty("evaluated").GetInt32(), json.GetProperty("rebalanced").GetInt32(), json.GetProperty("skipped").GetInt32()));
        Assert.False(json.GetProperty("alreadyRun").GetBoolean());
        var proposal = Assert.Single(json.GetProperty("proposals").EnumerateArray());
        Assert.Equal("big", proposal.GetProperty("account").GetString());
        Assert.Contains(json.GetProperty("counts").EnumerateArray(), c => c.GetProperty("outcome").GetString() == "skipped" && c.GetProperty("reason").GetString() == "hold");

        var again = Ok("window", "run", "--calendar", "calendar.yaml", "--at", "2026-03-02T10:45");
        Assert.Contains("Window 2026-03-02T10:00 (run 1): proposed (already run: nothing added)", again, StringComparison.Ordinal);
        Assert.Contains($"proposal {proposal.GetProperty("proposal").GetInt64()}: big", again, StringComparison.Ordinal);
        Assert.Equal(1, CountProposals());

        var show = Ok("window", "show", "2026-03-02T10:00");
        Assert.Contains("hold: client call", show, StringComparison.Ordinal);
        Assert.Contains("rebalanced", show, StringComparison.Ordinal);
        Assert.Contains("2026-03-02T10:00", Ok("window", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public void WindowShow_DrawsTheFirstThousandVerdicts_AndItsJsonStreamsEveryOne()
    {
        // 1,200 more accounts (1,202 in all), each worth 30,000 at 60/40: looked at, no trades.
        var accounts = new System.Text.StringBuilder("account,type,currency,household,model\n");
        var positions = new System.Text.StringBuilder("account,ticker,quantity,cost_basis\n");
        for (var i = 0; i < 1200; i++)
        {
            accounts.Append(System.Globalization.CultureInfo.InvariantCulture, $"m{i:D4},taxable,USD,,core\n");
            positions.Append(System.Globalization.CultureInfo.InvariantCulture, $"m{i:D4},VTI,180,1\nm{i:D4},BND,120,1\n");
        }
        _cli.Write("more-accounts.csv", accounts.ToString());
        _cli.Write("more-positions.csv", positions.ToString());
        Ok("import", "accounts", "more-accounts.csv");
        Ok("import", "positions", "more-positions.csv", "--as-of", "2026-02-26");
        Ok("schedule", "set", "schedule.yaml");
        Ok("window", "run", "--calendar", "calendar.yaml");

        var show = Ok("window", "show", "2026-03-02T10:00");
        Assert.Equal(1000, show.Split('\n').Count(l => l.Contains("| look ", StringComparison.Ordinal)));
        Assert.Contains("... and 202 more accounts ('ballast window show 2026-03-02T10:00 --json' lists every one)", show, StringComparison.Ordinal);

        var json = JsonDocument.Parse(Ok("window", "show", "2026-03-02T10:00", "--json")).RootElement;
        var all = json.GetProperty("accounts").EnumerateArray().ToList();
        Assert.Equal(1202, all.Count);
        Assert.Equal("big", all[0].GetProperty("account").GetString()); // account name order, the table's
        Assert.Equal("m1199", all[^1].GetProperty("account").GetString());
        Assert.Equal(1200, all.Count(a => a.GetProperty("outcome").GetString() == "no trades"));
    }

    [Fact]
    public void Schedule_SetShowClear_AndABadFileIsRefusedNamingItsLineAndField()
    {
        _cli.Write("bad.yaml", "tiers:\n  - { from: 0, look: sometimes }\n");
        var (exit, _, err) = Run("schedule", "set", "bad.yaml", "--model", "core");
        Assert.Equal(2, exit);
        Assert.Contains("bad.yaml", err, StringComparison.Ordinal);
        Assert.Contains("sometimes", err, StringComparison.Ordinal);

        _cli.Write("core.yaml", "pauseAfterRebalance: 3 months\n");
        Ok("schedule", "set", "core.yaml", "--model", "core");
        Assert.Contains("pause after a rebalance 3 months", Ok("schedule", "show", "--account", "big"), StringComparison.Ordinal);
        Ok("schedule", "set", "--clear", "--model", "core");
        Assert.Contains("pause after a rebalance 6 months", Ok("schedule", "show", "--model", "core"), StringComparison.Ordinal);
    }
}
