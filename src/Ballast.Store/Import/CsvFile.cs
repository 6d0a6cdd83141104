using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ballast.Input;

namespace Ballast.Store.Import;

/// <summary>One data row of a CSV file with its 1-based line number.</summary>
internal sealed record CsvRow(int Line, string[] Fields);

/// <summary>
/// A CSV file read whole: RFC 4180 quoting (quoted commas, doubled quotes), any line ending, the header
/// found as the first line that holds every required column (broker exports put titles above it).
/// </summary>
internal sealed class CsvFile
{
    private readonly Dictionary<string, int> _columns;

    private CsvFile(string path, string displayName, string sha256, int headerLine, string[] header, List<CsvRow> rows)
    {
        Path = path;
        Name = displayName;
        Sha256 = sha256;
        HeaderLine = headerLine;
        Header = header;
        Rows = rows;
        RowCount = rows.Count;
        _columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++) _columns.TryAdd(header[i].Trim(), i);
    }

    public string Path { get; }
    /// <summary>The name used in messages: the path as the user gave it.</summary>
    public string Name { get; }
    public string Sha256 { get; }
    public int HeaderLine { get; }
    public string[] Header { get; }
    public List<CsvRow> Rows { get; }

    /// <summary>The line right above the header, when there is one (an all-accounts export's first account title).</summary>
    public CsvRow? LineAboveHeader { get; private init; }

    /// <summary>Data rows read, kept after <see cref="Release"/>.</summary>
    public int RowCount { get; private set; }

    /// <summary>Drops the parsed rows once they have been turned into values, so a large import holds one copy.</summary>
    public void Release()
    {
        RowCount = Rows.Count;
        Rows.Clear();
        Rows.TrimExcess();
    }

    /// <summary>Reads <paramref name="path"/>; the header is the first of the first 20 lines holding all <paramref name="required"/> columns.</summary>
    /// <exception cref="InputException">The file cannot be read or no line holds the required columns (the message names the missing ones).</exception>
    public static CsvFile Read(string path, IReadOnlyCollection<string> required, string? displayName = null)
    {
        var name = displayName ?? path;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new InputProblem($"cannot read the file: {e.Message}", name));
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var text = new UTF8Encoding(false).GetString(bytes);
        var lines = Parse(text, name);
        var headerIndex = -1;
        for (var i = 0; i < Math.Min(HeaderSearchLines, lines.Count); i++)
        {
            var set = lines[i].Fields.Select(f => f.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (required.All(r => r.Split('|').Any(set.Contains))) { headerIndex = i; break; }
        }
        if (headerIndex < 0) throw new InputException(MissingHeader(lines, required, name));
        var header = lines[headerIndex].Fields;
        var rows = lines.Skip(headerIndex + 1).Where(l => l.Fields.Any(f => f.Trim().Length > 0)).ToList();
        return new CsvFile(path, name, sha, lines[headerIndex].Line, header, rows)
        {
            LineAboveHeader = headerIndex > 0 && lines[headerIndex - 1].Line == lines[headerIndex].Line - 1 ? lines[headerIndex - 1] : null,
        };
    }

    /// <summary>Lines searched for the header; broker exports put at most a few title lines above it.</summary>
    public const int HeaderSearchLines = 20;

    /// <summary>
    /// One problem for a file without the required header, however many columns are missing and however long the
    /// header is: the columns missing from the closest line, and a shortened echo of what was found.
    /// </summary>
    private static InputProblem MissingHeader(List<CsvRow> lines, IReadOnlyCollection<string> required, string name)
    {
        var first = lines.Take(HeaderSearchLines).FirstOrDefault(l => l.Fields.Length > 1) ?? lines.FirstOrDefault();
        var present = first?.Fields.Select(f => f.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var missing = required.Where(r => !r.Split('|').Any(present.Contains)).Select(r => r.Split('|')[0]).ToList();
        if (missing.Count == 0) missing = required.Select(r => r.Split('|')[0]).ToList();
        var laterHeader = lines.Skip(HeaderSearchLines).FirstOrDefault(l =>
            required.All(r => r.Split('|').Any(h => l.Fields.Any(f => f.Trim().Equals(h, StringComparison.OrdinalIgnoreCase)))));
        var found = first is null ? "an empty file" : Shorten(first.Fields);
        var message = missing.Count == 1
            ? $"missing column '{missing[0]}' in the header (found: {found})"
            : $"missing columns {string.Join(", ", missing.Select(m => $"'{m}'"))} in the header (found: {found})";
        if (laterHeader is not null)
            message += $"; a header was found on line {laterHeader.Line}, but it must be within the first {HeaderSearchLines} lines";
        return new InputProblem(message, name, first?.Line ?? 1, Field: missing[0]);
    }

    /// <summary>At most 12 cells of at most 40 characters: enough to recognize a header, never the whole of a huge one.</summary>
    private static string Shorten(string[] fields)
    {
        var shown = fields.Take(12).Select(f => f.Length > 40 ? f[..40] + "..." : f);
        var more = fields.Length > 12 ? $", ... ({fields.Length} columns)" : "";
        return string.Join(", ", shown) + more;
    }

    public bool Has(string column) => _columns.ContainsKey(column);

    public int? IndexOf(string? column) => column is not null && _columns.TryGetValue(column, out var i) ? i : null;

    /// <summary>
    /// The cell of a column the header is known to have; when it is empty, adds a problem naming the file, line and column
    /// to <paramref name="problems"/> and returns "" (so a row's problems are all listed before it is skipped).
    /// </summary>
    public string Required(CsvRow row, string column, List<InputProblem> problems)
    {
        var v = Cell(row, IndexOf(column));
        if (v is null) problems.Add(new InputProblem($"missing {column}", Name, row.Line, Field: column));
        return v ?? "";
    }

    /// <summary>The trimmed cell, or null when the column is absent or the row is short or the cell is empty.</summary>
    public static string? Cell(CsvRow row, int? index)
    {
        if (index is null || index.Value >= row.Fields.Length) return null;
        var v = row.Fields[index.Value].Trim();
        return v.Length == 0 ? null : v;
    }

    /// <summary>Splits the text into rows. Refuses a quote left open at the end and any NUL character, naming the line.</summary>
    private static List<CsvRow> Parse(string text, string name)
    {
        using var reader = new StringReader(text);
        return [.. ParseRows(reader, name)];
    }

    /// <summary>
    /// Opens <paramref name="path"/> for streaming: the header is found as <see cref="Read"/> finds it, but the data rows are
    /// not read; <see cref="Stream"/> reads them one at a time (so a file of millions of rows is never held), and
    /// <see cref="Sha256"/> is computed by a pass over the bytes. <see cref="RowCount"/> is set once a stream has been read to its end.
    /// </summary>
    public static CsvFile Open(string path, IReadOnlyCollection<string> required, string? displayName = null)
    {
        var name = displayName ?? path;
        string sha;
        var head = new List<CsvRow>();
        try
        {
            using (var bytes = File.OpenRead(path)) sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            using var reader = OpenText(path);
            foreach (var row in ParseRows(reader, name))
            {
                head.Add(row);
                if (head.Count >= HeaderSearchLines + 1) break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new InputProblem($"cannot read the file: {e.Message}", name));
        }
        var headerIndex = -1;
        for (var i = 0; i < Math.Min(HeaderSearchLines, head.Count); i++)
        {
            var set = head[i].Fields.Select(f => f.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (required.All(r => r.Split('|').Any(set.Contains))) { headerIndex = i; break; }
        }
        if (headerIndex < 0)
        {
            // The message looks past the first lines for a late header: read those lines as Read does.
            using var reader = OpenText(path);
            throw new InputException(MissingHeader([.. ParseRows(reader, name).Take(10_000)], required, name));
        }
        return new CsvFile(path, name, sha, head[headerIndex].Line, head[headerIndex].Fields, [])
        {
            LineAboveHeader = headerIndex > 0 && head[headerIndex - 1].Line == head[headerIndex].Line - 1 ? head[headerIndex - 1] : null,
            _streamed = true,
        };
    }

    private bool _streamed;
    private Stream? _reading;

    /// <summary>Bytes of the file read so far by <see cref="Stream"/> (to a buffer's size), for progress.</summary>
    public long BytesRead => _reading is { CanSeek: true } s ? s.Position : 0;

    /// <summary>The file's size in bytes, once <see cref="Stream"/> has started.</summary>
    public long Length { get; private set; }

    /// <summary>The data rows of a file opened with <see cref="Open"/>, read one at a time (blank rows left out); sets <see cref="RowCount"/> at the end.</summary>
    public IEnumerable<CsvRow> Stream()
    {
        if (!_streamed) throw new InvalidOperationException("the file was read whole: use Rows");
        using var reader = OpenText(Path);
        _reading = reader.BaseStream;
        Length = _reading.Length;
        var count = 0;
        foreach (var row in ParseRows(reader, Name))
        {
            if (row.Line <= HeaderLine) continue;
            var blank = true;
            foreach (var f in row.Fields) if (!f.AsSpan().IsWhiteSpace()) { blank = false; break; }
            if (blank) continue;
            count++;
            yield return row;
        }
        RowCount = count;
    }

    private static StreamReader OpenText(string path) => new(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);

    /// <summary>
    /// The rows of a text, one at a time: RFC 4180 quoting, any line ending, a leading byte order mark dropped.
    /// Refuses a quote left open at the end and any NUL character, naming the line.
    /// </summary>
    private static IEnumerable<CsvRow> ParseRows(TextReader reader, string name)
    {
        var buffer = new char[1 << 16];
        var length = 0;
        var pos = 0;
        var eof = false;
        bool Fill()
        {
            if (eof) return false;
            length = reader.Read(buffer, 0, buffer.Length);
            pos = 0;
            if (length == 0) { eof = true; return false; }
            return true;
        }
        // The next character without taking it, or -1 at the end.
        int Peek() => pos < length || Fill() ? buffer[pos] : -1;

        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var quoteLine = 0;
        var first = true;
        while (true)
        {
            if (pos >= length && !Fill()) break;
            var ch = buffer[pos++];
            if (first)
            {
                first = false;
                if (ch == '\uFEFF') continue;
            }
            if (ch == '\0')
                throw new InputException(new InputProblem("the file holds a NUL character; it is not a text CSV file", name, line));
            if (quoted)
            {
                if (ch == '"')
                {
                    if (Peek() == '"') { field.Append('"'); pos++; }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when IsBlank(field): field.Clear(); quoted = true; quoteLine = line; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r' when Peek() == '\n': break;
                case '\r' or '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return new CsvRow(rowLine, [.. fields]);
                    fields.Clear();
                    line++;
                    rowLine = line;
                    break;
                default: field.Append(ch); break;
            }
        }
        if (quoted)
            throw new InputException(new InputProblem(
                $"a quoted field opened on line {quoteLine} is never closed; the rest of the file would be read as one field", name, quoteLine));
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return new CsvRow(rowLine, [.. fields]);
        }
    }

    private static bool IsBlank(StringBuilder field)
    {
        for (var i = 0; i < field.Length; i++) if (!char.IsWhiteSpace(field[i])) return false;
        return true;
    }
}

/// <summary>Lenient readers for the number and date formats of broker exports, reporting what they could not read.</summary>
internal static class CsvValues
{
    /// <summary>Reads 1,234.56, $1,234.56, -12, (12.50) (negative), +3; null when not a number.</summary>
    public static decimal? Number(string? text)
    {
        if (text is null) return null;
        var t = text.Trim().Replace("$", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        var negative = false;
        if (t.StartsWith('(') && t.EndsWith(')')) { negative = true; t = t[1..^1]; }
        if (decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var v))
            return negative ? -v : v;
        return null;
    }

    /// <summary>True for cells brokers use to mean "nothing": empty, --, n/a.</summary>
    public static bool IsBlank(string? text) => text is null || text is "--" or "-" || text.Equals("n/a", StringComparison.OrdinalIgnoreCase)
        || text.Equals("not applicable", StringComparison.OrdinalIgnoreCase);

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "MM/dd/yyyy", "M/d/yyyy", "MM/dd/yy", "M/d/yy", "yyyyMMdd", "yyyy/MM/dd"];

    /// <summary>Reads ISO dates and US month/day/year dates; "08/15/2024 as of 08/14/2024" reads as the first date.</summary>
    public static DateOnly? Date(string? text, string? format = null)
    {
        if (text is null) return null;
        var t = text.Trim();
        var asOf = t.IndexOf(" as of ", StringComparison.OrdinalIgnoreCase);
        if (asOf > 0) t = t[..asOf];
        var formats = format is null ? DateFormats : [format];
        return DateOnly.TryParseExact(t, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }
}
