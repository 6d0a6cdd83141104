// Usage: Ballast.Store.TestImporter <sqlite-path-or-connection-string> <positions|transactions|accounts|fills|prices> <file> [account] [--busy-ms N]
// Prints "progress ..." lines during large writes, then "done ..." and exits 0; exit 2 on bad input, 3 when the store is busy.
using Ballast.Input;
using Ballast.Store;

var busyMs = 10_000;
var positional = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--busy-ms") busyMs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    else positional.Add(args[i]);
}
var location = StoreLocation.Parse(positional[0], Directory.GetCurrentDirectory());
var options = new StoreOptions
{
    Actor = "test-importer",
    BusyTimeout = TimeSpan.FromMilliseconds(busyMs),
    Progress = line => { Console.Out.WriteLine("progress " + line); Console.Out.Flush(); },
};
try
{
    var store = BallastStore.Open(location, options);
    Console.Out.WriteLine("started");
    Console.Out.Flush();
    var account = positional.Count > 3 ? positional[3] : null;
    var result = positional[1] switch
    {
        "positions" => store.ImportPositions(positional[2], account, asOf: new DateOnly(2025, 9, 30)),
        "transactions" => store.ImportTransactions(positional[2], account),
        "accounts" => store.ImportAccounts(positional[2]),
        "fills" => store.ImportFills(positional[2]),
        "prices" => store.ImportPrices(positional[2]),
        _ => throw new ArgumentException("unknown import kind " + positional[1]),
    };
    Console.Out.WriteLine("done " + result.Summary);
    return 0;
}
catch (InputException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (StoreBusyException e)
{
    Console.Error.WriteLine("retryable: " + e.Message);
    return 3;
}
