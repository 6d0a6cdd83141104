namespace Ballast.Cli;

/// <summary>Process exit codes, following the <c>diff</c> convention so cron and scripts can branch on them.</summary>
public static class ExitCodes
{
    /// <summary>Nothing to do: the portfolio is within its policy.</summary>
    public const int Ok = 0;
    /// <summary>The policy says to rebalance now (check), or the plan has trades.</summary>
    public const int RebalanceNeeded = 1;
    /// <summary>The input or the command line is wrong; nothing was written.</summary>
    public const int BadInput = 2;
    /// <summary>A store or environment failure that may succeed when retried (a locked database, a lost connection).</summary>
    public const int Retryable = 3;
    /// <summary>An unexpected internal error.</summary>
    public const int InternalError = 70;
}
