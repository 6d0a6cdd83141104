using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Data;
using Ballast.Store.Import;

namespace Ballast.Store
{
    /// <summary>An FX rate as stored: <c>1 Base = Rate Quote</c> on <see cref="Date"/>.</summary>
    /// <param name="Pair">Six letters, base then quote currency: <c>USDKRW</c> 1380.5 means one US dollar costs 1,380.5 won.</param>
    public sealed record FxRate(string Pair, DateOnly Date, decimal Rate)
    {
        public string Base => Pair[..3];
        public string Quote => Pair[3..];
    }

    /// <summary>
    /// How a close in a security's currency became a price in an account's currency: the rate used (its pair as stored and
    /// its date), whether the pair was the inverse one (the close was divided by its rate), and the close before conversion.
    /// </summary>
    /// <param name="From">The security's currency.</param>
    /// <param name="To">The account's currency.</param>
    /// <param name="Rate">The stored rate used, or null when the store has neither pair on or before the as-of date.</param>
    /// <param name="Close">The close in the security's currency.</param>
    public sealed record FxConversion(string From, string To, FxRate? Rate, bool Inverse, decimal Close)
    {
        /// <summary>The pair that was looked for first (<c>FROMTO</c>).</summary>
        public string Pair => From + To;
    }

    /// <summary>The FX rates the store has for one pair on or before a date.</summary>
    /// <param name="Latest">The latest rate on or before the as-of date, or null.</param>
    public sealed record FxCoverage(string Pair, int Rates, DateOnly? First, DateOnly? Last, decimal? Latest);

    public sealed partial class BallastStore
    {
        /// <summary>
        /// Imports FX rates from <c>date,pair,rate</c> rows: <c>2025-09-30,USDKRW,1380.5</c> means one USD costs 1,380.5 KRW that day.
        /// A pair is two three-letter currency codes (<c>USD/KRW</c> is read as <c>USDKRW</c>); a rate is positive with at most
        /// <see cref="Scaled.RateScale"/> decimals and is stored exactly (never rounded). A later import of the same pair and date
        /// replaces the rate. Any bad row refuses the whole file, naming file, line and field.
        /// </summary>
        public ImportResult ImportFx(string path, string? displayName = null)
        {
            var file = CsvFile.Read(path, ["date", "pair", "rate"], displayName);
            var problems = new List<InputProblem>();
            int iDate = file.IndexOf("date")!.Value, iPair = file.IndexOf("pair")!.Value, iRate = file.IndexOf("rate")!.Value;
            var today = Today;
            var rates = new Dictionary<(string Pair, string Date), (long Rate, int Line)>();
            foreach (var row in file.Rows)
            {
                var dateCell = CsvFile.Cell(row, iDate);
                var date = CsvValues.Date(dateCell);
                if (date is null) problems.Add(new($"'{dateCell}' is not a date", file.Name, row.Line, Field: "date"));
                else if (date > today) problems.Add(new($"date {FormatDate(date.Value)} is in the future (today is {FormatDate(today)})", file.Name, row.Line, Field: "date"));
                var pairCell = CsvFile.Cell(row, iPair);
                var pair = NormalizePair(pairCell);
                if (pair is null)
                    problems.Add(new($"'{pairCell}' is not a currency pair: give two different three-letter codes, base then quote, as USDKRW (1 USD = rate KRW)",
                        file.Name, row.Line, Field: "pair"));
                var rateCell = CsvFile.Cell(row, iRate);
                var rate = CsvValues.Number(rateCell);
                long stored = 0;
                if (rate is null || rate <= 0) problems.Add(new($"rate '{rateCell}' is not a positive number", file.Name, row.Line, Field: "rate"));
                else if (ScaledInput.Exact(rate.Value, Scaled.RateScale, $"rate of {pair ?? pairCell}", out stored) is { } error)
                    problems.Add(new(error, file.Name, row.Line, Field: "rate"));
                if (problems.Count >= 100) break;
                if (date is null || date > today || pair is null || stored <= 0) continue;
                var key = (pair, FormatDate(date.Value));
                if (rates.TryGetValue(key, out var seen) && seen.Rate != stored)
                    problems.Add(new($"{pair} on {key.Item2} appears twice with different rates (line {seen.Line} gives {Scaled.Format(Scaled.Rate(seen.Rate))})",
                        file.Name, row.Line, Field: "rate"));
                else rates[key] = (stored, row.Line);
            }
            if (problems.Count > 0) throw new InputException(problems);
            return WriteImport("import fx", scope =>
            {
                var existing = new Dictionary<(string, string), long>();
                foreach (var r in scope.Query("SELECT pair, date, rate FROM fx_rates WHERE pair IN @pairs",
                             new { pairs = rates.Keys.Select(k => k.Pair).Distinct().ToArray() },
                             r => (Pair: r.GetString(0), Date: r.GetString(1), Rate: r.GetInt64(2))))
                    existing[(r.Pair, r.Date)] = r.Rate;
                var rows = rates.Where(r => !existing.TryGetValue(r.Key, out var old) || old != r.Value.Rate)
                    .Select(r => new object?[] { r.Key.Pair, r.Key.Date, r.Value.Rate }).ToList();
                var pairs = rates.Keys.Select(k => k.Pair).Distinct().Count();
                var result = new ImportResult(file.Rows.Count, rows.Count, rates.Count - rows.Count, $"{rows.Count} FX rates for {pairs} pair{(pairs == 1 ? "" : "s")} written, {rates.Count - rows.Count} unchanged");
                if (rows.Count == 0) throw new Unchanged(result);
                scope.Upsert("fx_rates", ["pair", "date", "rate"], 2, rows);
                RecordImport(scope, "fx", file);
                return (result, $"imported FX rates from {file.Name}: {rows.Count} written, {rates.Count - rows.Count} unchanged, {pairs} pair{(pairs == 1 ? "" : "s")}");
            });
        }

        /// <summary><c>usdkrw</c> or <c>USD/KRW</c> to <c>USDKRW</c>; null unless two different three-letter codes.</summary>
        internal static string? NormalizePair(string? text)
        {
            if (text is null) return null;
            var t = text.Trim().Replace("/", "", StringComparison.Ordinal).ToUpperInvariant();
            return t.Length == 6 && t.All(char.IsAsciiLetterUpper) && t[..3] != t[3..] ? t : null;
        }

        /// <summary>A currency code as stored (three letters, upper case), or null when <paramref name="text"/> is not one.</summary>
        internal static string? NormalizeCurrency(string? text)
        {
            var t = text?.Trim().ToUpperInvariant();
            return t is { Length: 3 } && t.All(char.IsAsciiLetterUpper) ? t : null;
        }

        /// <summary>The latest rate of every pair on or before <paramref name="asOf"/>, by pair.</summary>
        public IReadOnlyDictionary<string, FxRate> LatestFxRates(DateOnly asOf) => Read(c => LatestFxRates(c, asOf));

        internal static Dictionary<string, FxRate> LatestFxRates(DbConnection c, DateOnly asOf) =>
            c.Query(
                    """
                    SELECT f.pair, f.date, f.rate FROM fx_rates f
                    WHERE f.date = (SELECT MAX(g.date) FROM fx_rates g WHERE g.pair = f.pair AND g.date <= @asOf)
                    """, new { asOf = FormatDate(asOf) }, r => new FxRate(r.GetString(0), ParseDate(r.GetString(1)), Scaled.Rate(r.GetInt64(2))))
                .ToDictionary(r => r.Pair, StringComparer.Ordinal);

        /// <summary>The FX coverage of every stored pair on or before <paramref name="asOf"/>, by pair.</summary>
        public IReadOnlyList<FxCoverage> ListFx(DateOnly asOf) => Read(c =>
        {
            var latest = LatestFxRates(c, asOf);
            return c.Query(
                    "SELECT pair, COUNT(*), MIN(date), MAX(date) FROM fx_rates WHERE date <= @asOf GROUP BY pair ORDER BY pair", new { asOf = FormatDate(asOf) },
                    r => (Pair: r.GetString(0), Rates: r.GetInt64(1), First: r.GetString(2), Last: r.GetString(3)))
                .Select(p => new FxCoverage(p.Pair, (int)p.Rates, ParseDate(p.First), ParseDate(p.Last), latest.GetValueOrDefault(p.Pair)?.Rate))
                .ToList();
        });

        /// <summary>
        /// Converts a close in <paramref name="from"/> to <paramref name="to"/> with the latest rates on or before the as-of date:
        /// the pair <c>FROMTO</c> multiplies, else the inverse pair <c>TOFROM</c> divides; no cross rates. The price is rounded half
        /// away from zero to <see cref="Scaled.PriceScale"/> decimals. Returns null with a conversion whose rate is null when neither
        /// pair has a rate.
        /// </summary>
        internal static (decimal? Price, FxConversion Conversion) ConvertClose(decimal close, string from, string to, IReadOnlyDictionary<string, FxRate> rates)
        {
            var (value, rate, inverse) = ConvertAmount(close, from, to, rates);
            return (value is { } v ? decimal.Round(v, Scaled.PriceScale, MidpointRounding.AwayFromZero) : null, new FxConversion(from, to, rate, inverse, close));
        }

        /// <summary>
        /// The one FX rule: an amount in <paramref name="from"/> in <paramref name="to"/> with the given latest rates, the pair
        /// <c>FROMTO</c> multiplying, else the inverse pair <c>TOFROM</c> dividing; no cross rates, no rounding (the caller rounds
        /// where it keeps the result). The same currency is the amount itself; neither pair (or a zero rate) is null.
        /// </summary>
        public static (decimal? Value, FxRate? Rate, bool Inverse) ConvertAmount(decimal amount, string from, string to, IReadOnlyDictionary<string, FxRate> rates)
        {
            ArgumentNullException.ThrowIfNull(rates);
            if (from == to) return (amount, null, false);
            if (rates.TryGetValue(from + to, out var direct) && direct.Rate > 0) return (amount * direct.Rate, direct, false);
            if (rates.TryGetValue(to + from, out var inverse) && inverse.Rate > 0) return (amount / inverse.Rate, inverse, true);
            return (null, null, false);
        }
    }
}
