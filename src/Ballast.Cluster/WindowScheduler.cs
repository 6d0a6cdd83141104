using Ballast.Operations.Windows;
using Ballast.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Ballast.Cluster;

/// <summary>
/// Windows that run by themselves: the trading calendar a silo was started with (<c>ballast-node --calendar FILE</c>), for one tenant.
/// Every silo of the cluster is given the same.
/// </summary>
/// <param name="Period">How often the scheduler's reminder looks at the calendar (at least Orleans' minimum reminder period, a minute by default).</param>
public sealed record WindowSchedule(TradingCalendar Calendar, int Partitions, string EngineVersion, string Tenant, TimeSpan Period)
{
    /// <summary>The reminder's name.</summary>
    public const string ReminderName = "windows";
}

/// <summary>The scheduler of a tenant's windows (key: the tenant): one activation in the cluster, woken by a reminder kept in the store's PostgreSQL.</summary>
public interface IWindowScheduler : IGrainWithStringKey
{
    /// <summary>Registers the reminder (again: every silo calls this as it starts, and a reminder has one row per grain and name).</summary>
    Task Start();

    /// <summary>What the last look at the calendar did: the window it asked the coordinator to run, or null.</summary>
    Task<string?> LastWindow();
}

/// <summary>
/// At each tick of its reminder, the scheduler takes the latest window of the calendar at or before now (the store's clock); unless its
/// run is finished, it asks the window's coordinator to run it, which starts the run, joins the one in flight, or resumes one whose silo
/// died. The window id is unique in the store and a coordinator is one activation per window, so a window runs once for the cluster,
/// however many silos tick; a window missed while no silo was up runs at the next tick, while it is still the latest.
/// </summary>
public sealed class WindowScheduler(ClusterStore stores, WindowSchedule schedule, ILogger<WindowScheduler> log) : Grain, IWindowScheduler, IRemindable
{
    private string? _last;

    public async Task Start() => await this.RegisterOrUpdateReminder(WindowSchedule.ReminderName, TimeSpan.FromSeconds(1), schedule.Period);

    public Task<string?> LastWindow() => Task.FromResult(_last);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var store = stores.For(schedule.Tenant);
        var window = schedule.Calendar.Latest(store.Options.Time.GetUtcNow());
        if (window is not { } w) return;
        var run = await Task.Run(() => store.FindWindowRun(w.Id));
        if (run is not null && run.Status is not ("running" or "failed")) return;
        var request = ClusterWindowRequest.For(schedule.Calendar, w, schedule.Partitions, schedule.EngineVersion, schedule.Tenant);
        _last = w.Id;
        try
        {
            // Starts it (or joins it) and comes back at once: the coordinator runs it in its own activation.
            await GrainFactory.GetGrain<IWindowCoordinator>(request.Key).Wait(request, TimeSpan.Zero);
        }
        catch (Exception e)
        {
            // The next tick asks again, and the coordinator resumes the run from the accounts recorded.
            log.LogWarning("window {Window}: the scheduler's call to its coordinator failed ({Error}); the next tick asks again", w.Id, e.Message);
        }
    }
}

/// <summary>Sets a silo up to run the windows of a calendar by themselves.</summary>
public static class WindowScheduling
{
    /// <summary>Adds <paramref name="schedule"/> to the silo and, once the silo is active, registers the scheduler's reminder.</summary>
    public static ISiloBuilder AddWindowSchedule(this ISiloBuilder silo, WindowSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(schedule);
        silo.Services.AddSingleton(schedule);
        silo.AddStartupTask((services, _) => services.GetRequiredService<IGrainFactory>().GetGrain<IWindowScheduler>(schedule.Tenant).Start());
        return silo;
    }
}
