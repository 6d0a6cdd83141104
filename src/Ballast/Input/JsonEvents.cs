using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ballast.Input;

/// <summary>
/// Reads JSON (UTF-8) with the strict JSON reader and hands out the parsing events the YAML parser would give for the same
/// text: one document of flow mappings and sequences, strings as double-quoted scalars, numbers, <c>true</c>, <c>false</c>
/// and <c>null</c> as plain scalars, each marked with its line and column (counted in UTF-16 characters, as the YAML parser
/// counts them). <see cref="Document"/> builds its nodes from these events, so a JSON file is read in one pass instead of
/// a strict JSON pass followed by the general YAML scanner; the readers see the same nodes either way.
/// </summary>
/// <remarks>
/// A malformed text throws the JSON reader's <see cref="JsonException"/> at the token where it goes wrong. The reader's state is
/// kept between events (it is a ref struct), so the text is read as the events are asked for: the node limits of
/// <see cref="Document"/>'s guard stop a huge file before the rest of it is read.
/// </remarks>
internal sealed class JsonEvents : IParser
{
    private readonly ReadOnlyMemory<byte> _utf8;
    private JsonReaderState _state;
    private int _consumed;
    private int _phase; // 0: before the stream, 1: before the document, 2: in it, 3: document ended, 4: stream ended, 5: done
    private readonly Stack<bool> _open = new(); // the lists and mappings open: true for a mapping

    // Where the last position was worked out: line and column counting resumes from there (tokens come in order).
    private int _lineAt;
    private long _line = 1, _column = 1, _index;

    public JsonEvents(ReadOnlyMemory<byte> utf8, int maxDepth)
    {
        _utf8 = utf8;
        _state = new JsonReaderState(new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Skip, MaxDepth = maxDepth });
    }

    public ParsingEvent? Current { get; private set; }

    public bool MoveNext()
    {
        switch (_phase)
        {
            case 0:
                _phase = 1;
                Current = new StreamStart(Mark.Empty, Mark.Empty);
                return true;
            case 1:
            {
                if (!NextToken(out var token, out var at)) return false; // an empty text: the reader has thrown already
                var start = MarkAt(at);
                _phase = 2;
                Pending = (token.Type, token.Value, start);
                Current = new DocumentStart(null, null, true, start, start);
                return true;
            }
            case 2:
            {
                if (Pending is { } p)
                {
                    Pending = null;
                    Current = Event(p.Type, p.Value, p.Start);
                }
                else if (_open.Count == 0 || !NextToken(out var token, out var at))
                {
                    // The root value is complete: the reader checks nothing follows it.
                    if (NextToken(out _, out _)) throw new InvalidOperationException("the JSON reader gave a second root value");
                    _phase = 3;
                    var end = MarkAt(_utf8.Length);
                    Current = new DocumentEnd(true, end, end);
                }
                else
                {
                    Current = Event(token.Type, token.Value, MarkAt(at));
                }
                return true;
            }
            case 3:
                _phase = 4;
                var streamEnd = MarkAt(_utf8.Length);
                Current = new StreamEnd(streamEnd, streamEnd);
                return true;
            default:
                _phase = 5;
                Current = null;
                return false;
        }
    }

    private (JsonTokenType Type, string? Value, Mark Start)? Pending { get; set; }

    private ParsingEvent Event(JsonTokenType type, string? value, Mark start)
    {
        switch (type)
        {
            case JsonTokenType.StartObject:
                _open.Push(true);
                return new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Flow, start, start);
            case JsonTokenType.StartArray:
                _open.Push(false);
                return new SequenceStart(AnchorName.Empty, TagName.Empty, true, SequenceStyle.Flow, start, start);
            case JsonTokenType.EndObject:
                _open.Pop();
                return new MappingEnd(start, start);
            case JsonTokenType.EndArray:
                _open.Pop();
                return new SequenceEnd(start, start);
            case JsonTokenType.PropertyName:
                return new Scalar(AnchorName.Empty, TagName.Empty, value!, ScalarStyle.DoubleQuoted, false, true, start, start, isKey: true);
            case JsonTokenType.String:
                return new Scalar(AnchorName.Empty, TagName.Empty, value!, ScalarStyle.DoubleQuoted, false, true, start, start);
            default: // numbers, true, false, null: their text, as the YAML parser reads them
                return new Scalar(AnchorName.Empty, TagName.Empty, value!, ScalarStyle.Plain, true, false, start, start);
        }
    }

    /// <summary>The next token (its type and text) and where it starts in the text; false when the text has no more.</summary>
    private bool NextToken(out (JsonTokenType Type, string? Value) token, out int at)
    {
        var reader = new Utf8JsonReader(_utf8.Span[_consumed..], isFinalBlock: true, _state);
        if (!reader.Read())
        {
            token = default;
            at = _utf8.Length;
            _consumed += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            return false;
        }
        at = _consumed + (int)reader.TokenStartIndex;
        var value = reader.TokenType switch
        {
            JsonTokenType.String or JsonTokenType.PropertyName => reader.GetString(),
            JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null =>
                System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => null,
        };
        token = (reader.TokenType, value);
        _consumed += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
        return true;
    }

    /// <summary>The mark of byte <paramref name="at"/>: line and column from 1, and the index, in UTF-16 characters.</summary>
    private Mark MarkAt(int at)
    {
        var span = _utf8.Span;
        for (var i = _lineAt; i < at; i++)
        {
            var b = span[i];
            if (b == (byte)'\n' || (b == (byte)'\r' && (i + 1 >= span.Length || span[i + 1] != (byte)'\n')))
            {
                _line++;
                _column = 1;
                _index++;
            }
            else if (b == (byte)'\r') _index++;
            else if ((b & 0xC0) != 0x80) // the first byte of a character
            {
                var units = b >= 0xF0 ? 2 : 1; // a character beyond the BMP is two UTF-16 units
                _column += units;
                _index += units;
            }
        }
        _lineAt = Math.Max(_lineAt, at);
        return new Mark(_index, _line, _column);
    }
}
