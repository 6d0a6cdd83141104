using System.Text;

namespace Ballast.Input;

/// <summary>
/// One thing wrong with user input: a file, flag or request. Carries where it was found
/// (file, 1-based line and column when the parser knows them, the field path) and a sentence
/// a user understands. Expected failures are values of this type, not exceptions.
/// </summary>
public sealed record InputProblem(string Message, string? File = null, int? Line = null, int? Column = null, string? Field = null)
{
    /// <summary>Formats as <c>file:line:column: field: message</c>, leaving out the parts that are unknown.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (File is not null)
        {
            sb.Append(File);
            if (Line is not null)
            {
                sb.Append(':').Append(Line.Value);
                if (Column is not null) sb.Append(':').Append(Column.Value);
            }
            sb.Append(": ");
        }
        else if (Line is not null)
        {
            sb.Append("line ").Append(Line.Value).Append(": ");
        }
        if (Field is not null) sb.Append(Field).Append(": ");
        sb.Append(Message);
        return sb.ToString();
    }
}

/// <summary>
/// Thrown at the boundary of a host (CLI, service) when input cannot be used. The engine's parsers
/// collect every problem they find before throwing, so a user sees all of them at once.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(IReadOnlyList<InputProblem> problems)
        : base(problems.Count == 0 ? "invalid input" : string.Join(Environment.NewLine, problems))
    {
        if (problems.Count == 0) throw new ArgumentException("at least one problem is required", nameof(problems));
        Problems = problems;
    }

    public InputException(InputProblem problem) : this([problem]) { }

    public IReadOnlyList<InputProblem> Problems { get; }
}
