using System.Globalization;

namespace Ballast.Tax.Tests;

/// <summary>Short builders for the tax tests.</summary>
internal static class TaxTestData
{
    public static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static TaxLot Lot(string id, string acquired, decimal quantity, decimal costBasis, string ticker = "VOO", string account = "taxable") =>
        new(id, ticker, account, D(acquired), quantity, costBasis);

    public static LedgerTransaction Buy(string date, decimal quantity, decimal price, string ticker = "VOO", string account = "taxable", string? lotId = null) =>
        new(D(date), account, ticker, TransactionKind.Buy, quantity, price, LotId: lotId);

    public static LedgerTransaction Sell(string date, decimal quantity, decimal price, string ticker = "VOO", string account = "taxable", IReadOnlyList<SpecificLot>? lots = null) =>
        new(D(date), account, ticker, TransactionKind.Sell, quantity, price, lots);

    public static LedgerTransaction Reinvest(string date, decimal quantity, decimal price, string ticker = "VOO", string account = "taxable") =>
        new(D(date), account, ticker, TransactionKind.DividendReinvestment, quantity, price);
}
