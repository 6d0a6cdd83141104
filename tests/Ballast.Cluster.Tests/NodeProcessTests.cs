using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ballast.Operations.Windows;
using Ballast.Store;
using Xunit.Abstractions;

namespace Ballast.Cluster.Tests;

/// <summary>
/// Three <c>ballast-node</c> processes on this machine sharing one PostgreSQL database: a window starts through the cluster,
/// one silo is killed with SIGKILL while its partitions run, and the run completes on the other two: every account recorded
/// once, no proposal or order doubled, and the same verdicts, proposals and blocks as a single-process run of a copy of the store.
/// Bad flags of <c>ballast-node</c>: one line, exit 2.
/// </summary>
[Collection(Alone.Name)]
public sealed class NodeProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Accounts = 100_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-node-test-").FullName;
    private readonly List<Process> _processes = [];
    private readonly List<PostgresDatabase> _databases = [];

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(10_000);
            p.Dispose();
        }
        foreach (var d in _databases) d.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static string Node => Path.Combine(AppContext.BaseDirectory, "ballast-node.dll");

    private Process Start(string log, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Node);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        info.Environment["BALLAST_STORE_TRACE"] = "1";
        var p = Process.Start(info)!;
        _processes.Add(p);
        var path = Path.Combine(_directory, log);
        var writer = TextWriter.Synchronized(new StreamWriter(path) { AutoFlush = true });
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) writer.WriteLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) writer.WriteLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>What the processes said, the last lines of each, for a failure's message.</summary>
    private string Logs() => string.Join(Environment.NewLine, Directory.GetFiles(_directory, "*.log").Order(StringComparer.Ordinal)
        .Select(f => $"== {Path.GetFileName(f)}:{Environment.NewLine}" + string.Join(Environment.NewLine, ReadShared(f).TakeLast(15))));

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n');
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task ThreeNodes_OneKilledWhilePartitionsRun_TheRunCompletesOnTheOthers_AsTheSingleProcessRun()
    {
        var clock = Stopwatch.StartNew();
        var clustered = new PostgresDatabase();
        _databases.Add(clustered);
        Book.Load(clustered.Location, Accounts, _directory);
        output.WriteLine($"book of {Accounts} accounts loaded: {clock.Elapsed.TotalSeconds:0.0} s");
        var single = clustered.Copy();
        _databases.Add(single);
        output.WriteLine($"and copied: {clock.Elapsed.TotalSeconds:0.0} s");

        // The silos start (and join the cluster) while the single-process run runs on the copy.
        var nodes = new List<Process>();
        for (var i = 0; i < 3; i++)
            nodes.Add(Start($"node{i}.log", "--db", clustered.Url, "--urls", $"http://127.0.0.1:{FreePort()}", "--silo-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--gateway-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), "--cluster-id", "killtest"));

        var window = Book.Window;
        var alone = new WindowRunner(BallastStore.Open(single.Location, Book.Options(window.Start.AddMinutes(1))), "test").Run(Book.Calendar, window);
        Assert.Equal(Accounts, alone.Run.Accounts);
        output.WriteLine($"single-process run: {alone.Run.Status}, {alone.Run.Rebalanced} rebalanced, {clock.Elapsed.TotalSeconds:0.0} s");

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (clustered.Scalar("SELECT COUNT(*) FROM orleansmembershiptable WHERE deploymentid = 'killtest' AND status = 3") < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "three silos did not become active: " + Logs());
            Assert.All(nodes, n => Assert.False(n.HasExited, "a node exited"));
            await Task.Delay(250);
        }
        output.WriteLine($"three silos active: {clock.Elapsed.TotalSeconds:0.0} s");

        var calendar = Path.Combine(_directory, "calendar.yaml");
        File.WriteAllText(calendar, "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        var run = Start("window.log", "window", "--db", clustered.Url, "--calendar", calendar, "--at", window.Id, "--partitions", "24", "--cluster-id", "killtest");

        // Kill a silo once the partitions have recorded some accounts, and well before they are done.
        deadline = DateTime.UtcNow.AddSeconds(120);
        while (clustered.Scalar("SELECT COUNT(*) FROM window_run_accounts") < Accounts / 6)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not start: " + Logs());
            Assert.False(run.HasExited, "the run ended before a silo was killed: " + Logs());
            await Task.Delay(100);
        }
        var recordedAtKill = clustered.Scalar("SELECT COUNT(*) FROM window_run_accounts");
        nodes[1].Kill(); // SIGKILL: no goodbye to the cluster
        output.WriteLine($"silo 2 killed with {recordedAtKill} of {Accounts} accounts recorded: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(recordedAtKill < Accounts, "the run finished before the kill");

        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(3)), "the run did not finish: " + Logs());
        run.WaitForExit();
        var said = string.Join("\n", ReadShared(Path.Combine(_directory, "window.log")));
        output.WriteLine(said);
        output.WriteLine($"cluster run finished: {clock.Elapsed.TotalSeconds:0.0} s");
        // Where the partitions' time went (each silo prints a line per partition call: BALLAST_STORE_TRACE=1).
        foreach (var f in Directory.GetFiles(_directory, "node*.log").Order(StringComparer.Ordinal))
            foreach (var line in ReadShared(f).Where(l => l.StartsWith("trace window", StringComparison.Ordinal)))
                output.WriteLine($"{Path.GetFileNameWithoutExtension(f)}: {line}");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"window {window.Id}: run", said, StringComparison.Ordinal);

        // Every account once, every proposal once (none left by the killed silo's unfinished batch), no order doubled.
        var store = BallastStore.Open(clustered.Location, Book.Options(window.Start.AddMinutes(1)));
        var info = store.FindWindowRun(window.Id)!;
        Assert.Equal(Accounts, info.Accounts);
        Assert.Equal(Accounts, clustered.Scalar("SELECT COUNT(DISTINCT account_id) FROM window_run_accounts"));
        Assert.Equal(info.Rebalanced, clustered.Scalar($"SELECT COUNT(*) FROM proposals WHERE scope LIKE 'window {window.Id}:%'"));
        Assert.Equal(clustered.Scalar("SELECT COUNT(*) FROM proposal_orders"), clustered.Scalar("SELECT COUNT(*) FROM window_orders"));

        var expected = Book.Read(BallastStore.Open(single.Location, Book.Options(window.Start.AddMinutes(1))), window.Id);
        var actual = Book.Read(store, window.Id);
        Assert.True(expected.Proposals.Count > Accounts / 20, $"the book should make proposals: {expected.Proposals.Count}");
        Assert.Equal(expected.Run, actual.Run);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Verdicts, actual.Verdicts);
        Assert.Equal(expected.Proposals, actual.Proposals);
        Assert.Equal(expected.Blocks, actual.Blocks);
        output.WriteLine($"both runs read and compared: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Theory]
    [InlineData("--silo-port abc --db postgres://u:p@127.0.0.1:1/x", "--silo-port: 'abc' is not a port (1 to 65535)")]
    [InlineData("--db /tmp/ballast-node-test.db", "--db: a cluster needs a PostgreSQL store")]
    [InlineData("--bogus 1 --db postgres://u:p@127.0.0.1:1/x", "--bogus: unknown flag")]
    [InlineData("--silo-port 30000 --db postgres://u:p@127.0.0.1:1/x", "--gateway-port: the silo and gateway ports must differ")]
    [InlineData("window --db postgres://u:p@127.0.0.1:1/x --calendar cal.yaml --partitions 0", "--partitions: '0' is not a number of partitions (1 to 4096)")]
    [InlineData("frob", "unknown command 'frob'")]
    public void BadFlags_OneLine_Exit2(string args, string message)
    {
        var p = Start("bad.log", args.Split(' '));
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)));
        p.WaitForExit();
        var text = File.ReadAllText(Path.Combine(_directory, "bad.log")).TrimEnd();
        Assert.Equal(2, p.ExitCode);
        Assert.StartsWith("ballast-node: error: ", text, StringComparison.Ordinal);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }
}

/// <summary>
/// The multi-process test runs by itself, after the other test classes (which run side by side): its three silos and 100,000
/// accounts need the machine's cores, and its time is bounded.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone";
}
