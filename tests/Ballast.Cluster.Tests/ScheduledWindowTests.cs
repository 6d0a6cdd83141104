using Ballast.Store;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Ballast.Cluster.Tests;

/// <summary>A test silo that also runs the calendar's windows by itself, its reminder ticking every two seconds.</summary>
public sealed class ScheduledSiloSetup : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        new SiloSetup().Configure(siloBuilder);
        siloBuilder.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        siloBuilder.AddWindowSchedule(new WindowSchedule(Book.Calendar, 6, "test", BallastStore.DefaultTenantName, TimeSpan.FromSeconds(2)));
    }
}

/// <summary>Windows fired by an Orleans reminder kept in the store's PostgreSQL: with three silos up, a window runs once.</summary>
public sealed class ScheduledWindowTests : IDisposable
{
    private const int Accounts = 600;
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-schedule-test-").FullName;
    private readonly PostgresDatabase _database = new();

    public void Dispose()
    {
        _database.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task TheReminder_WithThreeSilosUp_RunsTheLatestWindowOnce()
    {
        var store = Book.Load(_database.Location, Accounts, _directory);
        var window = Book.Window;
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[ClusterWindowTests.StoreKey] = _database.Location.ConnectionString;
        builder.AddSiloBuilderConfigurator<ScheduledSiloSetup>();
        builder.AddClientBuilderConfigurator<ClientSetup>();
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        // Every silo registered the reminder as it started: one row, one scheduler.
        Assert.Equal(1, _database.Scalar("SELECT COUNT(*) FROM orleansreminderstable WHERE remindername = 'windows'"));

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (store.FindWindowRun(window.Id) is not { Status: not "running" })
        {
            Assert.True(DateTime.UtcNow < deadline, "the reminder did not run the window");
            await Task.Delay(250);
        }
        // More ticks come and find the window done.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(window.Id, await cluster.Client.GetGrain<IWindowScheduler>(BallastStore.DefaultTenantName).LastWindow());

        var run = store.FindWindowRun(window.Id)!;
        Assert.Equal("proposed", run.Status);
        Assert.Equal(Accounts, run.Accounts);
        Assert.Equal(1, _database.Scalar("SELECT COUNT(*) FROM window_runs"));
        Assert.Equal(1, _database.Scalar("SELECT COUNT(*) FROM events WHERE kind = 'window.started'"));
        Assert.Equal(1, _database.Scalar("SELECT COUNT(*) FROM events WHERE kind = 'window.finished'"));
        Assert.Equal(Accounts, _database.Scalar("SELECT COUNT(DISTINCT account_id) FROM window_run_accounts"));
        Assert.Equal(run.Rebalanced, _database.Scalar($"SELECT COUNT(*) FROM proposals WHERE scope LIKE 'window {window.Id}:%'"));
    }
}
