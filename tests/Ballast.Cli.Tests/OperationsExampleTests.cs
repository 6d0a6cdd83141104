using Ballast.Testing;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary>
/// The README's walk through <c>examples/operations</c>, step by step as printed there: a window over the six shipped
/// accounts, its block orders, the shipped block fills allocated back, and a clean <c>verify</c>.
/// </summary>
public sealed class OperationsExampleTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-ops-example-").FullName;
    private readonly string _example = RepositoryPaths.Example("operations");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Ok(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(stdout), Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        var context = new CliContext { Console = console, Out = stdout, Error = stderr, WorkingDirectory = _example, Time = TimeProvider.System };
        var exit = CliApp.Run([.. args, "--db", Path.Combine(_directory, "ops.db")], context);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout.ToString();
    }

    [Fact]
    public void TheReadmeWalkThrough_RunsAWindow_SendsItsBlocks_AndAllocatesTheShippedFills()
    {
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=40%,VXUS=20%,BND=20%,GLD=20%", "--policy-file", "policy.yaml", "--whole-shares", "on");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2026-02-27");
        Ok("schedule", "set", "schedule.yaml");
        Ok("restrictions", "add", "--account", "barbara-ira", "--ticker", "GLD", "--do-not-buy", "--reason", "client's request");

        var run = Ok("window", "run", "--calendar", "calendar.yaml", "--at", "2026-03-02T10:00", "--blocks");

        // The three accounts outside their bands (ada-taxable and barbara-ira every window, grace-taxable at its first
        // semiannual look) are rebalanced; the firm's default approval rule sends their orders straight into six blocks.
        Assert.Contains("6 accounts: 6 evaluated, 3 rebalanced, 0 skipped, 0 not evaluated", run, StringComparison.Ordinal);
        Assert.Contains("block 4: sell 20 VTI for 2 accounts", run, StringComparison.Ordinal);
        Assert.Contains("window 2026-03-02T10:00: 6 blocks created; run sent", run, StringComparison.Ordinal);
        var show = Ok("window", "show", "2026-03-02T10:00");
        Assert.Contains("2 orders; do-not-buy GLD", show, StringComparison.Ordinal); // barbara-ira is below GLD's target but may not buy it
        var export = Ok("blocks", "export", "--open", "--csv");
        Assert.Contains("4,2026-03-02T10:00,VTI,sell,20,ada-taxable,1,1,16,0", export, StringComparison.Ordinal);

        Assert.Contains("7 block fills recorded", Ok("blocks", "fills", "import", "block-fills.csv"), StringComparison.Ordinal);

        // Block 4 sold 12 at 312.60 and 8 at 312.40: 6,250.40 for 20, an average of 312.52; ada-taxable ordered 16 of the 20
        // and gets 16 x 312.52 = 5,000.32, grace-taxable 4 x 312.52 = 1,250.08; fees 0.20 by shares, 0.16 and 0.04.
        var allocations = Ok("blocks", "allocations", "4");
        Assert.Contains("| ada-taxable   |        1 |      16 |        16 |        0 |         0 |    312.52 | 5,000.32 | 0.16 |", allocations, StringComparison.Ordinal);
        Assert.Contains("| grace-taxable |        2 |       4 |         4 |        0 |         0 |    312.52 | 1,250.08 | 0.04 |", allocations, StringComparison.Ordinal);
        // Block 5 (barbara-ira buys 13 VTI) filled 10: the rest carries, the proposal is partly filled.
        Assert.Contains("partly filled", Ok("blocks", "allocations", "5"), StringComparison.Ordinal);
        Assert.StartsWith("ok:", Ok("verify"), StringComparison.Ordinal);
    }
}
