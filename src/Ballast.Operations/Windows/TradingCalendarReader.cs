using System.Globalization;
using Ballast.Input;
using YamlDotNet.RepresentationModel;

namespace Ballast.Operations.Windows;

/// <summary>
/// Reads a trading calendar (YAML or JSON) and holiday lists. Problems carry the file, line, column and field.
/// </summary>
/// <example>
/// <code>
/// timeZone: America/New_York
/// windows:
///   - { days: [mon, wed, fri], at: "10:00" }
/// cutOff: 30 minutes
/// settlement: T+1
/// holidaysFile: nyse-holidays.txt     # one date per line, relative to this file
/// holidays: [2026-11-27]              # and/or listed here
/// </code>
/// </example>
public static class TradingCalendarReader
{
    public static readonly string[] Fields = ["timeZone", "windows", "cutOff", "settlement", "holidays", "holidaysFile"];
    public static readonly string[] WindowFields = ["days", "at"];

    /// <summary>At most this many holidays in one calendar.</summary>
    public const int MaxHolidays = 100_000;

    /// <summary>Reads the calendar at <paramref name="path"/>, and its holidays file relative to it.</summary>
    /// <exception cref="InputException">The calendar or its holidays file is not valid, or cannot be read; every problem is listed.</exception>
    public static TradingCalendar Load(string path)
    {
        var text = ReadText(path, "--calendar");
        return Read(path, text, holidaysFile =>
        {
            var full = Path.IsPathRooted(holidaysFile) ? holidaysFile : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", holidaysFile);
            return (full, ReadText(full, "holidaysFile"));
        });
    }

    /// <summary>Reads a calendar from text; <paramref name="openHolidays"/> gives the name and text of a <c>holidaysFile</c>.</summary>
    public static TradingCalendar Read(string file, string text, Func<string, (string Name, string Text)>? openHolidays = null)
    {
        var problems = new List<InputProblem>();
        var doc = Document.Parse(file, text, problems);
        if (doc is null) throw new InputException(problems);
        if (doc.Mapping(doc.Root, "calendar") is not { } map) throw new InputException(problems);
        doc.CheckFields(map, "", Fields);

        string? zone = null;
        var zoneNode = Document.Get(map, "timeZone");
        if (zoneNode is null) doc.Error(map, "timeZone", "missing: the exchange's IANA time zone, such as America/New_York");
        else if (doc.Scalar(zoneNode, "timeZone") is { } z)
        {
            zone = z.Trim();
            if (!KnownZone(zone)) doc.Error(zoneNode, "timeZone", $"unknown time zone '{z}'; use an IANA name such as America/New_York or Europe/London");
        }

        var windows = new List<WindowTime>();
        if (Document.Get(map, "windows") is not { } windowsNode) doc.Error(map, "windows", "missing: a list like - { days: [mon, wed, fri], at: \"10:00\" }");
        else if (doc.Sequence(windowsNode, "windows") is { } list)
        {
            if (list.Children.Count == 0) doc.Error(list, "windows", "a calendar needs at least one window");
            for (var i = 0; i < list.Children.Count; i++) ReadWindow(doc, list.Children[i], $"windows[{i}]", windows);
        }

        var cutOff = TimeSpan.Zero;
        if (Document.Get(map, "cutOff") is { } cutNode && doc.Scalar(cutNode, "cutOff") is { } cutText)
        {
            if (TryParseDuration(cutText, out var d) && d < TimeSpan.FromDays(1)) cutOff = d;
            else doc.Error(cutNode, "cutOff", $"'{cutText}' is not a cut-off under a day; write it like 30 minutes, 2 hours or 0");
        }

        var settlement = 1;
        if (Document.Get(map, "settlement") is { } setNode && doc.Scalar(setNode, "settlement") is { } setText)
        {
            var s = setText.Trim().ToUpperInvariant();
            if (s.StartsWith("T+", StringComparison.Ordinal)) s = s[2..];
            if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= TradingCalendar.MaxSettlementDays) settlement = n;
            else doc.Error(setNode, "settlement", $"'{setText}' is not a settlement lag; write T+0 to T+{TradingCalendar.MaxSettlementDays}");
        }

        var holidays = new HashSet<DateOnly>();
        if (Document.Get(map, "holidays") is { } hNode && doc.Sequence(hNode, "holidays") is { } hList)
        {
            if (doc.WithinCount(hList, "holidays", "holidays", hList.Children.Count, MaxHolidays))
                for (var i = 0; i < hList.Children.Count; i++)
                {
                    var field = $"holidays[{i}]";
                    if (doc.Scalar(hList.Children[i], field) is not { } t) continue;
                    if (Values.TryParseDate(t.Trim(), out var date, out var error)) holidays.Add(date);
                    else doc.Error(hList.Children[i], field, error!);
                }
        }
        if (Document.Get(map, "holidaysFile") is { } fNode && doc.Scalar(fNode, "holidaysFile") is { } holidaysFile)
        {
            if (openHolidays is null) doc.Error(fNode, "holidaysFile", "a holidays file can only be read from a calendar file on disk");
            else
            {
                try
                {
                    var (name, holidayText) = openHolidays(holidaysFile.Trim());
                    holidays.UnionWith(ReadHolidays(name, holidayText, problems));
                }
                catch (InputException e)
                {
                    problems.AddRange(e.Problems);
                }
            }
        }

        if (problems.Count > 0) throw new InputException(problems);
        return new TradingCalendar(zone!, windows, cutOff, holidays, settlement);
    }

    /// <summary>
    /// A holiday list: one date (<c>yyyy-MM-dd</c>) per line, optionally followed by its name; blank lines and lines
    /// starting with <c>#</c> are ignored. Problems name the file and line.
    /// </summary>
    public static IReadOnlyCollection<DateOnly> ReadHolidays(string file, string text, List<InputProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problems);
        var dates = new HashSet<DateOnly>();
        var line = 0;
        foreach (var raw in text.Split('\n'))
        {
            line++;
            var s = raw.Trim();
            if (s.Length == 0 || s[0] == '#') continue;
            var word = s.Split([' ', '\t', ','], 2)[0];
            if (!Values.TryParseDate(word, out var date, out var error)) problems.Add(new InputProblem(error!, file, line, Field: "date"));
            else if (dates.Count >= MaxHolidays) { problems.Add(new InputProblem(Limits.TooMany("holidays", dates.Count + 1, MaxHolidays), file, line)); break; }
            else dates.Add(date);
        }
        return dates;
    }

    /// <summary>Reads <c>30 minutes</c>, <c>30m</c>, <c>2 hours</c>, <c>1h</c>, <c>90s</c> or <c>0</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t is "0" or "none") return true;
        var at = 0;
        while (at < t.Length && char.IsAsciiDigit(t[at])) at++;
        if (at == 0 || at > 6 || !int.TryParse(t[..at], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        switch (t[at..].Trim())
        {
            case "s" or "sec" or "second" or "seconds": duration = TimeSpan.FromSeconds(n); return true;
            case "m" or "min" or "minute" or "minutes": duration = TimeSpan.FromMinutes(n); return true;
            case "h" or "hour" or "hours": duration = TimeSpan.FromHours(n); return true;
            default: return false;
        }
    }

    private static void ReadWindow(Document doc, YamlNode node, string path, List<WindowTime> windows)
    {
        if (doc.Mapping(node, path) is not { } m) return;
        doc.CheckFields(m, path, WindowFields);
        var days = new List<DayOfWeek>();
        var daysField = Document.Join(path, "days");
        if (Document.Get(m, "days") is not { } daysNode) doc.Error(m, daysField, "missing: weekdays such as [mon, wed, fri]");
        else
        {
            var items = daysNode is YamlSequenceNode seq ? seq.Children.ToList() : [daysNode];
            for (var i = 0; i < items.Count; i++)
            {
                var field = daysNode is YamlSequenceNode ? $"{daysField}[{i}]" : daysField;
                if (doc.Scalar(items[i], field) is not { } d) continue;
                if (TryParseDay(d, out var day)) days.Add(day);
                else doc.Error(items[i], field, $"'{d}' is not a weekday; use mon, tue, wed, thu or fri");
            }
        }
        var atField = Document.Join(path, "at");
        TimeOnly? at = null;
        if (Document.Get(m, "at") is not { } atNode) doc.Error(m, atField, "missing: the local time, such as \"10:00\"");
        else if (doc.Scalar(atNode, atField) is { } t)
        {
            if (TimeOnly.TryParseExact(t.Trim(), ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) at = time;
            else doc.Error(atNode, atField, $"'{t}' is not a time of day; write it as HH:mm, such as \"10:00\" (quoted in YAML)");
        }
        if (at is { } a) windows.AddRange(days.Select(d => new WindowTime(d, a)));
    }

    private static bool TryParseDay(string text, out DayOfWeek day)
    {
        (bool, DayOfWeek) r = text.Trim().ToLowerInvariant() switch
        {
            "mon" or "monday" => (true, DayOfWeek.Monday),
            "tue" or "tues" or "tuesday" => (true, DayOfWeek.Tuesday),
            "wed" or "wednesday" => (true, DayOfWeek.Wednesday),
            "thu" or "thur" or "thurs" or "thursday" => (true, DayOfWeek.Thursday),
            "fri" or "friday" => (true, DayOfWeek.Friday),
            _ => (false, default),
        };
        day = r.Item2;
        return r.Item1;
    }

    private static bool KnownZone(string id)
    {
        if (id.Length == 0) return false;
        try { TimeZoneInfo.FindSystemTimeZoneById(id); return true; }
        catch (TimeZoneNotFoundException) { return false; }
        catch (InvalidTimeZoneException) { return false; }
    }

    private static string ReadText(string path, string field)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > Limits.MaxFileBytes)
                throw new InputException(new InputProblem($"the file is larger than {Limits.MaxFileBytes / (1024 * 1024)} MB", path, Field: field));
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException) { throw new InputException(new InputProblem("no such file", path, Field: field)); }
        catch (DirectoryNotFoundException) { throw new InputException(new InputProblem("no such file", path, Field: field)); }
        catch (UnauthorizedAccessException) { throw new InputException(new InputProblem("permission denied", path, Field: field)); }
        catch (IOException e) { throw new InputException(new InputProblem($"cannot be read: {e.Message}", path, Field: field)); }
    }
}
