using Ballast.Input;
using Ballast.Store;

namespace Ballast.Operations.Models;

/// <summary>Creating a model or a new version of it (<c>ballast model set</c>, <c>POST /v1/models</c>, <c>POST /v1/models/{name}/versions</c>).</summary>
public static class ModelVersions
{
    /// <summary>
    /// Stores a new version of <paramref name="name"/> (its first creates the model): the targets, the policy text (read by the engine's
    /// policy reader first: a bad policy is refused naming <paramref name="policySource"/>, line and field, and nothing is written) and the
    /// execution settings, which <paramref name="execution"/> makes from the latest version's (kept as they are when null). Returns the version.
    /// </summary>
    public static int Set(BallastStore store, string name, IReadOnlyDictionary<string, decimal> targets, string? policy, string policySource,
        Func<string?, string?>? execution = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (policy is not null) PolicyReader.ReadText(policySource, policy).GetOrThrow();
        // A new version keeps the latest version's execution settings unless the host changes them.
        var latest = store.GetModel(name)?.Execution;
        return store.SetModel(name, targets, policy, execution is null ? latest : execution(latest));
    }
}
