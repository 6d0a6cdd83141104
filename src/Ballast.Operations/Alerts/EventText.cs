using System.Text.Json;
using Ballast.Store;

namespace Ballast.Operations.Alerts;

/// <summary>One human line per event, for a chat channel (the <c>text</c> field of a webhook body) and for <c>ballast events</c>.</summary>
public static class EventText
{
    /// <summary>The line of a stored event, Slack-escaped (&amp;, &lt;, &gt;).</summary>
    public static string Line(StoredEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return Slack(Plain(e));
    }

    /// <summary>The line of a stored event, unescaped.</summary>
    public static string Plain(StoredEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        JsonElement d;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(e.Data) ? "{}" : e.Data);
            d = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return $"{e.Kind} {e.Subject}";
        }
        string S(string name) => d.ValueKind == JsonValueKind.Object && d.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()
            : "";
        string Note() => S("note") is { Length: > 0 } n ? ": " + n : "";
        return e.Kind switch
        {
            EventKinds.WindowStarted => $"window {e.Subject} started (run {S("run")}{(S("resumed") == "true" ? ", resumed" : "")})",
            EventKinds.WindowFinished => $"window {e.Subject} {S("status")}: {S("accounts")} accounts, {S("evaluated")} evaluated, {S("rebalanced")} rebalanced, {S("skipped")} skipped",
            EventKinds.WindowFailed => $"window {e.Subject} failed: {S("error")}",
            EventKinds.ProposalCreated => $"proposal {e.Subject} created for {S("scope")}: {S("orders")} orders",
            EventKinds.ProposalApproved => $"proposal {e.Subject} approved{Note()}",
            EventKinds.ProposalSent => $"proposal {e.Subject} sent{Note()}",
            EventKinds.ProposalCancelled => $"proposal {e.Subject} cancelled{Note()}",
            EventKinds.ProposalExpired => $"proposal {e.Subject} expired: superseded by proposal {S("supersededBy")}",
            EventKinds.ProposalFilled => $"proposal {e.Subject} filled (last fill {S("lastFill")})",
            EventKinds.BlockCreated => $"block {e.Subject} created: {S("side")} {S("quantity")} {S("ticker")} for {S("accounts")} accounts",
            EventKinds.BlockFilled => $"block {e.Subject} filled: {S("side")} {S("quantity")} {S("ticker")}",
            EventKinds.BlockCancelled => $"block {e.Subject}: unfilled {S("cancelled")} {S("ticker")} cancelled{Note()}",
            EventKinds.FillsImported => $"{e.Subject}: {S("recorded")} {(S("source") == "blocks" ? "block fills" : "fills")} recorded, {S("duplicates")} already recorded",
            EventKinds.AccountSkipped => $"account {e.Subject} skipped: {S("reason")}",
            _ => $"{e.Kind} {e.Subject}",
        };
    }

    /// <summary>Escapes the three characters Slack's text format reserves.</summary>
    public static string Slack(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
    }
}
