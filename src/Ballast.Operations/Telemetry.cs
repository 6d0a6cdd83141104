using System.Diagnostics.Metrics;

namespace Ballast.Operations;

/// <summary>
/// The operations layer's metrics: one <see cref="Meter"/> named <c>Ballast</c> (<see cref="MeterName"/>) whatever the host (the CLI, the
/// service). Instruments cost nothing while nobody listens; <c>ballast serve</c> exports them with OpenTelemetry.
/// </summary>
public static class Telemetry
{
    /// <summary>The meter's name: what an OpenTelemetry <c>AddMeter</c> or a <see cref="MeterListener"/> subscribes to.</summary>
    public const string MeterName = "Ballast";

    /// <summary>The instruments' names.</summary>
    public const string WindowDurationName = "ballast.window.duration", AccountsEvaluatedName = "ballast.window.accounts.evaluated",
        WindowAccountsName = "ballast.window.accounts";

    public static readonly Meter Meter = new(MeterName, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    /// <summary>How long a window run took, seconds, tagged with its <c>status</c> (proposed, completed, failed, already done).</summary>
    public static readonly Histogram<double> WindowDuration = Meter.CreateHistogram<double>(WindowDurationName, "s",
        "How long a trading window run took, from its start to its finish or failure");

    /// <summary>Accounts a window evaluated (rebalanced or no trades), added as each batch is recorded.</summary>
    public static readonly Counter<long> AccountsEvaluated = Meter.CreateCounter<long>(AccountsEvaluatedName, "{account}",
        "Accounts a trading window evaluated (its schedule looked at them and they were planned: rebalanced or no trades)");

    /// <summary>Accounts a window recorded a verdict for, tagged with its <c>outcome</c> (rebalanced, no trades, not evaluated, skipped).</summary>
    public static readonly Counter<long> WindowAccounts = Meter.CreateCounter<long>(WindowAccountsName, "{account}",
        "Accounts a trading window recorded, by outcome");
}
