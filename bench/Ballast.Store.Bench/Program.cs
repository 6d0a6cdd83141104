// Usage: dotnet run -c Release --project bench/Ballast.Store.Bench -- <sqlite-file-or-connection-string> [accounts=100000]
// Loads accounts x 10 holdings through ImportAccounts/ImportPositions, then times the full snapshot stream.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ballast.Store;

var location = StoreLocation.Parse(args[0], Directory.GetCurrentDirectory());
var accounts = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
var dir = Directory.CreateTempSubdirectory("ballast-bench-").FullName;
var options = new StoreOptions { Actor = "bench", BusyTimeout = TimeSpan.FromSeconds(30) };
var asOf = new DateOnly(2025, 9, 30);

var streamOnly = args.Length > 2 && args[2] == "stream";
if (!streamOnly) Measure("initialize", () => BallastStore.Initialize(location, options));
var store = BallastStore.Open(location, options);
if (streamOnly)
{
    Stream(store, asOf);
    Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MB");
    return;
}

var prices = new StringBuilder("date");
for (var t = 0; t < 12; t++) prices.Append(",E").Append(t);
prices.Append('\n');
for (var d = 1; d <= 30; d++)
{
    prices.Append(new DateOnly(2025, 9, d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    for (var t = 0; t < 12; t++) prices.Append(',').Append((50 + t + d * 0.25m).ToString(CultureInfo.InvariantCulture));
    prices.Append('\n');
}
File.WriteAllText(Path.Combine(dir, "prices.csv"), prices.ToString());
Measure("import prices (wide, 12 tickers x 30 days)", () => store.ImportPrices(Path.Combine(dir, "prices.csv")));
store.SetModel("bench", Enumerable.Range(0, 10).ToDictionary(t => "E" + t, _ => 0.1m), "drift: 5%");

var accountsCsv = new StringBuilder("account,type,currency,household,model\n");
var positionsCsv = new StringBuilder("account,ticker,quantity,cost_basis\n");
for (var a = 0; a < accounts; a++)
{
    var name = "acct-" + a.ToString("D6", CultureInfo.InvariantCulture);
    accountsCsv.Append(name).Append(a % 3 == 0 ? ",taxable" : a % 3 == 1 ? ",tax-deferred" : ",tax-free").Append(",USD,hh-").Append(a / 2).Append(",bench\n");
    for (var t = 0; t < 10; t++)
    {
        var q = 1 + (a * 7 + t * 13) % 200;
        positionsCsv.Append(name).Append(",E").Append(t).Append(',').Append(q).Append('.').Append(a % 10).Append(',').Append(q * 55).Append('\n');
    }
    positionsCsv.Append(name).Append(",CASH,").Append(a % 5000).Append(".25,\n");
}
File.WriteAllText(Path.Combine(dir, "accounts.csv"), accountsCsv.ToString());
File.WriteAllText(Path.Combine(dir, "positions.csv"), positionsCsv.ToString());
accountsCsv.Clear();
positionsCsv.Clear();

Measure($"import accounts ({accounts})", () => store.ImportAccounts(Path.Combine(dir, "accounts.csv")));
Measure($"import positions ({accounts * 10} holdings + {accounts} cash rows)", () => store.ImportPositions(Path.Combine(dir, "positions.csv"), asOf: asOf));
GC.Collect();

Stream(store, asOf);
{
    var sw = Stopwatch.StartNew();
    var n = 0;
    await foreach (var _ in store.ReadAccountsAsync(new SnapshotQuery(asOf))) n++;
    Console.WriteLine($"async stream: {n} accounts in {sw.Elapsed.TotalSeconds:0.000} s");
}
Measure("verify", () => Console.WriteLine("  verify ok: " + store.Verify().Ok));
Measure("re-import positions (no change)", () => Console.WriteLine("  " + store.ImportPositions(Path.Combine(dir, "positions.csv"), asOf: asOf).Summary));
Console.WriteLine($"peak working set: {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MB");
Directory.Delete(dir, true);

static void Stream(BallastStore store, DateOnly asOf)
{
for (var run = 1; run <= 3; run++)
{
    long holdings = 0;
    decimal value = 0;
    var n = 0;
    var sw = Stopwatch.StartNew();
    foreach (var s in store.ReadAccounts(new SnapshotQuery(asOf)))
    {
        n++;
        foreach (var h in s.Holdings)
        {
            holdings++;
            value += h.Quantity * (h.Price ?? 0);
        }
    }
    Console.WriteLine($"stream run {run}: {n} accounts, {holdings} holdings, value {value:0.00} in {sw.Elapsed.TotalSeconds:0.000} s");
}
}

static void Measure(string what, Action action)
{
    var sw = Stopwatch.StartNew();
    action();
    Console.WriteLine($"{what}: {sw.Elapsed.TotalSeconds:0.000} s");
}
