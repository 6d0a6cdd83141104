using Ballast.Input;
using Ballast.Store;

namespace Ballast.Operations.Monitoring;

/// <summary>
/// The schedules a store keeps: the firm's (else <see cref="MonitoringSchedule.Default"/>) and the overrides of models and
/// accounts. Every schedule text goes through <see cref="MonitoringScheduleReader"/> before it is stored: one gate.
/// </summary>
public sealed class StoredSchedules
{
    private readonly MonitoringSchedule _firm;
    private readonly Dictionary<string, MonitoringOverride> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MonitoringOverride> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MonitoringSchedule> _byModel = new(StringComparer.Ordinal);
    private MonitoringSchedule? _noModel;

    private StoredSchedules(MonitoringSchedule firm) => _firm = firm;

    /// <summary>The firm's schedule: the stored one, else the default method.</summary>
    public MonitoringSchedule Firm => _firm;

    /// <summary>True when the firm's schedule is stored (else <see cref="MonitoringSchedule.Default"/> applies).</summary>
    public bool FirmStored { get; private init; }

    /// <summary>Reads every stored schedule once.</summary>
    public static StoredSchedules Load(BallastStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var all = store.Schedules();
        var firmText = all.FirstOrDefault(s => s.Kind == ScheduleKind.Firm);
        var result = new StoredSchedules(firmText is null ? MonitoringSchedule.Default : MonitoringScheduleReader.ReadSchedule("stored firm schedule", firmText.Text))
        {
            FirmStored = firmText is not null,
        };
        foreach (var s in all)
        {
            if (s.Kind == ScheduleKind.Model) result._models[s.Name] = MonitoringScheduleReader.ReadOverride($"stored schedule of model {s.Name}", s.Text);
            else if (s.Kind == ScheduleKind.Account) result._accounts[s.Name] = MonitoringScheduleReader.ReadOverride($"stored schedule of account {s.Name}", s.Text);
        }
        return result;
    }

    /// <summary>The schedule of an account: the firm's, with its model's override, then its own.</summary>
    public MonitoringSchedule For(string? model, string? account = null)
    {
        MonitoringSchedule forModel;
        if (model is null) forModel = _noModel ??= _firm;
        else if (!_byModel.TryGetValue(model, out forModel!))
            _byModel[model] = forModel = _models.TryGetValue(model, out var m) ? _firm.With(m) : _firm;
        return account is not null && _accounts.TryGetValue(account, out var a) ? forModel.With(a) : forModel;
    }

    /// <summary>
    /// Validates <paramref name="text"/> (read from <paramref name="file"/>) as a schedule and stores it for the firm, a model or an
    /// account. A firm's file must read as a whole schedule; a model's or account's file as an override (only the fields it names).
    /// </summary>
    /// <exception cref="InputException">The text is not a valid schedule (file, line and field named), or the owner does not exist.</exception>
    public static MonitoringSchedule Set(BallastStore store, ScheduleKind kind, string? name, string file, string text)
    {
        ArgumentNullException.ThrowIfNull(store);
        MonitoringSchedule effective;
        try
        {
            if (kind == ScheduleKind.Firm) effective = MonitoringScheduleReader.ReadSchedule(file, text);
            else
            {
                var o = MonitoringScheduleReader.ReadOverride(file, text);
                effective = Load(store).Firm.With(o); // a combination the schedule refuses is refused now, not at a window
            }
        }
        catch (ArgumentException e)
        {
            throw new InputException(new InputProblem(e.Message, file));
        }
        store.SetSchedule(kind, name, text);
        return effective;
    }
}
