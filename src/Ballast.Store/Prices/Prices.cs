using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>The latest close of a security on or before a date.</summary>
    /// <param name="Close">Close per share in the security's currency; in a snapshot's target prices, in the account's currency
    /// (see <paramref name="Fx"/>).</param>
    /// <param name="Fx">How the close was converted from the security's currency to the account's, or null when no conversion was
    /// needed. A conversion without a rate means the close could not be converted: <paramref name="Close"/> is then the
    /// security's own close and must not be used as the account's.</param>
    public sealed record PriceQuote(string Ticker, DateOnly Date, decimal Close, FxConversion? Fx = null);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// Imports closing prices from a long file (<c>date,ticker,close</c>), a wide file (<c>date,T1,T2,...</c>, empty
        /// cells skipped) or a one-security file (<c>date,close</c>, ticker from the file name, as <c>SPY.csv</c>).
        /// Prices are rounded half away from zero to 6 decimals. A later import of the same date replaces the price.
        /// New tickers become securities.
        /// The securities' currency comes from <paramref name="currency"/> (every ticker of the file) or, in a long file, a
        /// <c>currency</c> column (per row; an empty cell gives none). A security's currency is set once: stating another
        /// currency for a security that has one refuses the file. A security with no currency stated is priced as if in the
        /// currency of whichever account holds it (the rule before currencies were stored).
        /// </summary>
        public ImportResult ImportPrices(string path, string? displayName = null, string? currency = null)
        {
            string? fileCurrency = null;
            if (currency is not null && (fileCurrency = NormalizeCurrency(currency)) is null)
                throw new InputException(new InputProblem($"currency '{currency}' is not a three-letter ISO 4217 code", Field: "--currency"));
            var file = CsvFile.Read(path, ["date"], displayName);
            var problems = new List<InputProblem>();
            var iDate = file.IndexOf("date")!.Value;
            var today = Today;
            var columns = new List<(int Index, string Ticker)>();
            int? iTicker = file.IndexOf("ticker") ?? file.IndexOf("symbol");
            int? iClose = file.IndexOf("close") ?? file.IndexOf("adj_close");
            var single = iTicker is null && iClose is not null && file.Header.Length == 2;
            if (iTicker is not null && iClose is null)
                throw new InputException(new InputProblem("missing column 'close' in the header", file.Name, file.HeaderLine, Field: "close"));
            if (iTicker is null && !single)
            {
                for (var i = 0; i < file.Header.Length; i++)
                    if (i != iDate) columns.Add((i, NormalizeTicker(file.Header[i])));
                if (columns.Count == 0) throw new InputException(new InputProblem("no price columns: expected date,ticker,close or date,T1,T2,...", file.Name, file.HeaderLine));
            }
            var fileTicker = NormalizeTicker(Path.GetFileNameWithoutExtension(path));
            var prices = new Dictionary<(string Ticker, string Date), long>();
            int? iCurrency = iTicker is null ? null : file.IndexOf("currency");
            if (iCurrency is not null && fileCurrency is not null)
                throw new InputException(new InputProblem("the file has a currency column and --currency is given: use one", file.Name, file.HeaderLine, Field: "currency"));
            // The currency each ticker is stated in, and the line that first stated it (null: the --currency flag).
            var currencies = new Dictionary<string, (string Currency, int? Line)>(StringComparer.Ordinal);
            foreach (var row in file.Rows)
            {
                var dateCell = CsvFile.Cell(row, iDate);
                var date = CsvValues.Date(dateCell);
                if (date is null) { problems.Add(new($"'{dateCell}' is not a date", file.Name, row.Line, Field: "date")); continue; }
                if (date > today) { problems.Add(new($"date {FormatDate(date.Value)} is in the future (today is {FormatDate(today)})", file.Name, row.Line, Field: "date")); continue; }
                var d = FormatDate(date.Value);
                void Add(string ticker, int index, string field)
                {
                    var cell = CsvFile.Cell(row, index);
                    if (cell is null) return;
                    var close = CsvValues.Number(cell);
                    if (close is null || close <= 0) { problems.Add(new($"close '{cell}' of {ticker} is not a positive number", file.Name, row.Line, Field: field)); return; }
                    var error = ScaledInput.Price(close.Value, $"close of {ticker}", out var stored);
                    if (error is not null) { problems.Add(new(error, file.Name, row.Line, Field: field)); return; }
                    prices[(ticker, d)] = stored;
                }
                if (iTicker is not null)
                {
                    var t = CsvFile.Cell(row, iTicker);
                    if (t is null) { problems.Add(new("missing ticker", file.Name, row.Line, Field: "ticker")); continue; }
                    if (iCurrency is not null && CsvFile.Cell(row, iCurrency) is { } cur)
                    {
                        var ticker = NormalizeTicker(t);
                        if (NormalizeCurrency(cur) is not { } code)
                            problems.Add(new($"currency '{cur}' is not a three-letter ISO 4217 code", file.Name, row.Line, Field: "currency"));
                        else if (currencies.TryGetValue(ticker, out var seen) && seen.Currency != code)
                            problems.Add(new($"{ticker} is in {seen.Currency} on line {seen.Line}, not {code}: a security has one currency", file.Name, row.Line, Field: "currency"));
                        else currencies.TryAdd(ticker, (code, row.Line));
                    }
                    Add(NormalizeTicker(t), iClose!.Value, "close");
                }
                else if (single) Add(fileTicker, iClose!.Value, "close");
                else foreach (var (index, ticker) in columns) Add(ticker, index, file.Header[index]);
                if (problems.Count >= 100) break;
            }
            if (problems.Count > 0) throw new InputException(problems);
            if (fileCurrency is not null)
                foreach (var ticker in prices.Keys.Select(k => k.Ticker).Distinct()) currencies[ticker] = (fileCurrency, null);
            return WriteImport("import prices", scope =>
            {
                var securities = scope.SecurityIds();
                foreach (var ticker in prices.Keys.Select(k => k.Ticker).Distinct().Order(StringComparer.Ordinal))
                    if (!securities.ContainsKey(ticker)) securities[ticker] = SecurityId(scope, ticker);
                var currenciesSet = SetCurrencies(scope, securities, currencies, file.Name);
                var existing = new Dictionary<(long, string), long>();
                foreach (var p in scope.Query("SELECT security_id, date, close FROM prices WHERE security_id IN @ids",
                             new { ids = prices.Keys.Select(k => securities[k.Ticker]).Distinct().ToArray() },
                                 r => (SecurityId: r.GetInt64(0), Date: r.GetString(1), Close: r.GetInt64(2))))
                    existing[(p.SecurityId, p.Date)] = p.Close;
                var rows = new List<object?[]>();
                foreach (var ((ticker, date), close) in prices)
                {
                    var id = securities[ticker];
                    if (existing.TryGetValue((id, date), out var old) && old == close) continue;
                    rows.Add([id, date, close]);
                }
                var tickers = prices.Keys.Select(k => k.Ticker).Distinct().Count();
                var result = new ImportResult(file.Rows.Count, rows.Count, prices.Count - rows.Count, $"{rows.Count} prices for {tickers} tickers written, {prices.Count - rows.Count} unchanged");
                if (currenciesSet > 0)
                    result = result with { Summary = result.Summary + $", {currenciesSet} securities' currency set" };
                if (rows.Count == 0 && currenciesSet == 0) throw new Unchanged(result); // a re-import records nothing, not even an import or audit row
                if (rows.Count > 0) scope.Upsert("prices", ["security_id", "date", "close"], 2, rows);
                RecordImport(scope, "prices", file);
                return (result, $"imported prices from {file.Name}: {rows.Count} written, {prices.Count - rows.Count} unchanged, {tickers} tickers");
            });
        }

        /// <summary>
        /// Sets the currency of securities that have none; refuses (naming the line that stated it, or <c>--currency</c>) a
        /// currency other than the one a security has. Returns how many securities got their currency.
        /// </summary>
        private static int SetCurrencies(WriteScope scope, Dictionary<string, long> securities, Dictionary<string, (string Currency, int? Line)> currencies, string file)
        {
            if (currencies.Count == 0) return 0;
            var stored = scope.Query("SELECT id, currency FROM securities WHERE currency IS NOT NULL", r => (Id: r.GetInt64(0), Currency: r.GetString(1)))
                .ToDictionary(s => s.Id, s => s.Currency);
            var problems = new List<InputProblem>();
            var set = 0;
            foreach (var (ticker, (currency, line)) in currencies.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var id = securities[ticker];
                if (stored.TryGetValue(id, out var had))
                {
                    if (had != currency)
                        problems.Add(new($"{ticker} is stored in {had}, not {currency}: a security's currency is set once (its stored closes are in {had})",
                            line is null ? null : file, line, Field: line is null ? "--currency" : "currency"));
                    continue;
                }
                scope.Execute("UPDATE securities SET currency = @currency WHERE id = @id", new { currency, id });
                set++;
            }
            if (problems.Count > 0) throw new InputException(problems);
            return set;
        }

        /// <summary>Records one close (currency units per share, rounded to 6 decimals), creating the security when new.</summary>
        public void SetPrice(string ticker, DateOnly date, decimal close) => Write("price", scope =>
        {
            if (close <= 0) throw new InputException(new InputProblem($"close {close} of {ticker} must be positive", Field: "close"));
            var error = ScaledInput.Price(close, $"close of {ticker}", out var stored);
            if (error is not null) throw new InputException(new InputProblem(error, Field: "close"));
            if (date > scope.Store.Today) throw new InputException(new InputProblem($"date {FormatDate(date)} is in the future", Field: "date"));
            var id = SecurityId(scope, NormalizeTicker(ticker));
            scope.Upsert("prices", ["security_id", "date", "close"], 2, [[id, FormatDate(date), stored]]);
            return (0, $"price of {ticker} on {FormatDate(date)}: {close}");
        });

        /// <summary>The latest close of every security on or before <paramref name="asOf"/>, by ticker.</summary>
        public IReadOnlyDictionary<string, PriceQuote> LatestPrices(DateOnly asOf) => Read(c => LatestPrices(c, asOf)
            .Values.ToDictionary(p => p.Ticker, p => p, StringComparer.Ordinal));

        internal static Dictionary<long, PriceQuote> LatestPrices(System.Data.Common.DbConnection c, DateOnly asOf, System.Data.Common.DbTransaction? tx = null) =>
            c.Query(
                    """
                    SELECT s.id, s.ticker, p.date, p.close
                    FROM securities s
                    JOIN prices p ON p.security_id = s.id
                    WHERE p.date = (SELECT MAX(q.date) FROM prices q WHERE q.security_id = s.id AND q.date <= @asOf)
                    """, new { asOf = FormatDate(asOf) }, r => (Id: r.GetInt64(0), Ticker: r.GetString(1), Date: r.GetString(2), Close: r.GetInt64(3)), tx)
                .ToDictionary(p => p.Id, p => new PriceQuote(p.Ticker, ParseDate(p.Date), Scaled.Price(p.Close)));

        /// <summary>
        /// Every close on or before <paramref name="asOf"/> of the securities named in <paramref name="tickers"/>, by ticker
        /// then date: the price history that volatility and performance triggers read for stored accounts.
        /// </summary>
        public IReadOnlyList<PriceQuote> PriceHistory(IReadOnlyCollection<string> tickers, DateOnly asOf) => Read(c =>
        {
            if (tickers.Count == 0) return (IReadOnlyList<PriceQuote>)[];
            var wanted = new HashSet<string>(tickers, StringComparer.Ordinal);
            return c.Query(
                    """
                    SELECT s.ticker, p.date, p.close
                    FROM securities s
                    JOIN prices p ON p.security_id = s.id
                    WHERE p.date <= @asOf
                    ORDER BY s.ticker, p.date
                    """, new { asOf = FormatDate(asOf) }, r => (Ticker: r.GetString(0), Date: r.GetString(1), Close: r.GetInt64(2)))
                .Where(p => wanted.Contains(p.Ticker))
                .Select(p => new PriceQuote(p.Ticker, ParseDate(p.Date), Scaled.Price(p.Close)))
                .ToList();
        });

        /// <summary>
        /// Held securities whose latest price on or before <paramref name="asOf"/> is older than <paramref name="maxAgeDays"/>
        /// calendar days, or that have no price at all (their <see cref="PriceQuote.Date"/> is <see cref="DateOnly.MinValue"/>).
        /// </summary>
        public IReadOnlyList<PriceQuote> StalePrices(DateOnly asOf, int maxAgeDays) => Read(c =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxAgeDays);
            var latest = LatestPrices(c, asOf);
            var held = c.Query(
                "SELECT s.id, s.ticker FROM securities s WHERE EXISTS (SELECT 1 FROM holdings h WHERE h.security_id = s.id AND h.quantity <> 0) ORDER BY s.ticker",
                    r => (Id: r.GetInt64(0), Ticker: r.GetString(1)));
            var limit = asOf.AddDays(-maxAgeDays);
            return held.Select(h => latest.TryGetValue(h.Id, out var q) ? q : new PriceQuote(h.Ticker, DateOnly.MinValue, 0m))
                .Where(q => q.Date < limit).ToList();
        });
    }
}
