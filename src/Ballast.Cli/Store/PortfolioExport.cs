using System.CommandLine;
using Ballast.Input;
using Ballast.Portfolios;
using Ballast.Store;

namespace Ballast.Cli.Store;

/// <summary>
/// <c>ballast export --portfolios PATH</c>: accounts in the portfolio-file format that check and plan read. PATH is a file unless
/// it ends in '/' (or is a folder already); a folder gets one file per account, named from the account's name made safe for a
/// file system. An account that follows no model is written without targets.
/// </summary>
internal static class PortfolioExport
{
    public static bool IsFolder(string shown, string path) =>
        shown.EndsWith('/') || shown.EndsWith(Path.DirectorySeparatorChar) || Directory.Exists(path);

    public static int Run(CliContext ctx, ParseResult parse, string shown, string path, string? account, string? asOfText, bool json)
    {
        var folder = IsFolder(shown, path);
        if (!folder && Flags.CheckWritable(path, shown, "PATH") is { } problem) throw new InputException(problem);
        if (folder && File.Exists(path.TrimEnd('/', Path.DirectorySeparatorChar)))
            throw new InputException(new InputProblem($"{shown} is a file, not a folder", Field: "PATH"));
        var store = StoreCommands.Open(parse, ctx);
        var date = StoreCommands.ParseDate(asOfText, "--as-of", ctx);
        var converter = new StoredPortfolios(date);
        var snapshots = store.ReadAccounts(new SnapshotQuery(date, Account: account)).ToList();
        if (account is not null && snapshots.Count == 0) throw new InputException(new InputProblem($"no account named '{account}'", Field: "--account"));
        if (!folder && snapshots.Count != 1)
            throw new InputException(new InputProblem(
                $"{shown} is one file but the store has {snapshots.Count} accounts: name one with --account, or give a folder ending in '/'", Field: "PATH"));
        // Everything is converted before anything is written, so a failure leaves no partial export.
        var files = new List<(string Path, string Text)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var root = Path.GetFullPath(path);
        foreach (var snapshot in snapshots)
        {
            var portfolio = Convert(converter, snapshot, account is null ? null : "--account");
            var asJson = folder ? json : json || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            string target;
            if (folder)
            {
                var name = FileName(snapshot.Name, asJson ? ".json" : ".yaml", names);
                target = Path.GetFullPath(Path.Combine(root, name));
                if (!target.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new InvalidOperationException($"the file name for account '{snapshot.Name}' leaves the folder"); // FileName never allows it
            }
            else target = path;
            files.Add((target, PortfolioWriter.Write(portfolio, asJson)));
        }
        try
        {
            if (folder) Directory.CreateDirectory(root);
            foreach (var (target, text) in files)
            {
                var temp = target + ".tmp";
                File.WriteAllText(temp, text);
                File.Move(temp, target, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new InputProblem($"cannot write {shown}: {Flags.OneLine(e.Message)}", Field: "PATH"));
        }
        ctx.Out.WriteLine(folder ? $"wrote {files.Count} portfolio files to {root}" : $"wrote {path}");
        return ExitCodes.Ok;
    }

    /// <summary>The engine's conversion of the account; one that follows no model is converted as if it held only cash as target, then written without targets.</summary>
    private static Ballast.Portfolios.Portfolio Convert(StoredPortfolios converter, AccountSnapshot snapshot, string? field)
    {
        if (snapshot.Targets is null || snapshot.Targets.Count == 0)
        {
            var stored = converter.Convert(snapshot with { Targets = new Dictionary<string, decimal> { [Ballast.Portfolios.Portfolio.CashTicker] = 1m } });
            if (stored.Portfolio is null) throw new InputException(new InputProblem(stored.Error!, Field: field));
            return stored.Portfolio with { Targets = [] };
        }
        var converted = converter.Convert(snapshot);
        return converted.Portfolio ?? throw new InputException(new InputProblem(converted.Error!, Field: field));
    }

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// A file name for an account, safe on Linux, macOS and Windows: path separators, characters Windows refuses and control
    /// characters become '_'; leading and trailing dots and spaces go; a name left empty becomes <c>account</c>; a device name
    /// (CON, NUL, COM1, ...) gets a leading '_'; a name already used (ignoring case) gets <c>-2</c>, <c>-3</c>, ...
    /// </summary>
    internal static string FileName(string account, string extension, HashSet<string> used)
    {
        var chars = account.Select(c => c < 32 || c == 127 || "/\\:*?\"<>|".Contains(c) ? '_' : c).ToArray();
        var name = new string(chars).Trim(' ', '.');
        if (name.Length == 0 || name.All(c => c == '_')) name = "account" + (name.Length > 0 ? name : "");
        if (name.Length > 120) name = name[..120].TrimEnd(' ', '.');
        var stem = name.Split('.')[0];
        if (Reserved.Contains(stem)) name = "_" + name;
        var candidate = name + extension;
        for (var n = 2; !used.Add(candidate); n++) candidate = $"{name}-{n}{extension}";
        return candidate;
    }
}
