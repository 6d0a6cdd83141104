using Ballast.Operations.Windows;
using Ballast.Store;
using Ballast.Store.Ledger;

namespace Ballast.Service.Tests;

/// <summary>A window run stopped by the host (the service's shutdown token) between batches stays resumable.</summary>
public abstract partial class ResourceSuite
{
    [Fact]
    public void AWindowRun_CancelledBetweenBatches_IsRecordedAbandoned_AndResumes()
    {
        var store = Store.ForTenant(Firms["acme"].TenantId, "tester");
        store.AddAccount(new NewAccount("a-second", AccountType.Taxable, "USD"));
        store.AddAccount(new NewAccount("a-third", AccountType.Taxable, "USD"));
        var calendar = TradingCalendarReader.Read("calendar", Calendar);
        var window = WindowRunner.WindowAt(calendar, new DateTimeOffset(2025, 9, 29, 15, 0, 0, TimeSpan.Zero));
        using var stopping = new CancellationTokenSource();
        var runner = new WindowRunner(store, "test") { BatchSize = 1, AfterBatch = n => { if (n == 1) stopping.Cancel(); } };
        Assert.Throws<OperationCanceledException>(() => runner.Run(calendar, window, stopping.Token));
        var abandoned = store.FindWindowRun(window.Id)!;
        Assert.Equal("failed", abandoned.Status);
        Assert.Equal(WindowRunner.Abandoned, abandoned.Error);
        Assert.Single(store.WindowRunAccounts(abandoned.Id));

        var resumed = new WindowRunner(store, "test") { BatchSize = 1 }.Run(calendar, window);
        Assert.True(resumed.Resumed);
        Assert.Equal(3, resumed.Run.Accounts);
        Assert.Null(resumed.Run.Error);
    }
}
