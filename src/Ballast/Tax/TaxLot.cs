namespace Ballast.Tax;

/// <summary>
/// An open tax lot: shares of one ticker in one account bought together.
/// </summary>
/// <remarks>
/// <see cref="CostBasis"/> is the lot's total basis in the account currency (not per share) and already
/// includes <see cref="WashSaleAdjustment"/>, the total disallowed loss added to this lot by a wash sale.
/// <see cref="HoldingPeriodStart"/> equals <see cref="Acquired"/> unless a wash sale carried an earlier
/// holding period over to this lot; the short/long-term decision uses it.
/// </remarks>
public sealed record TaxLot
{
    /// <summary>Creates a lot, checking the invariants every lot keeps.</summary>
    /// <exception cref="ArgumentException">An id, ticker or account is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of its range (see the properties).</exception>
    public TaxLot(string id, string ticker, string account, DateOnly acquired, decimal quantity, decimal costBasis,
        decimal washSaleAdjustment = 0m, DateOnly? holdingPeriodStart = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(ticker);
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        if (quantity <= 0m)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "a lot's quantity must be greater than 0");
        if (costBasis < 0m)
            throw new ArgumentOutOfRangeException(nameof(costBasis), costBasis, "a lot's cost basis must be 0 or more");
        if (washSaleAdjustment < 0m || washSaleAdjustment > costBasis)
            throw new ArgumentOutOfRangeException(nameof(washSaleAdjustment), washSaleAdjustment, $"the wash-sale adjustment must be between 0 and the cost basis {costBasis}");
        var start = holdingPeriodStart ?? acquired;
        if (start > acquired)
            throw new ArgumentOutOfRangeException(nameof(holdingPeriodStart), start, $"the holding period cannot start after the acquisition date {acquired:yyyy-MM-dd}");

        Id = id;
        Ticker = ticker;
        Account = account;
        Acquired = acquired;
        Quantity = quantity;
        CostBasis = costBasis;
        WashSaleAdjustment = washSaleAdjustment;
        HoldingPeriodStart = start;
    }

    /// <summary>Identifies the lot within the household; a specific-lot sale names it.</summary>
    public string Id { get; }

    /// <summary>The security's ticker, compared ordinally.</summary>
    public string Ticker { get; }

    /// <summary>The account that holds the lot.</summary>
    public string Account { get; }

    /// <summary>The trade date the shares were bought.</summary>
    public DateOnly Acquired { get; }

    /// <summary>The date the holding period counts from; on or before <see cref="Acquired"/>.</summary>
    public DateOnly HoldingPeriodStart { get; }

    /// <summary>Number of shares; greater than 0, fractional shares allowed.</summary>
    public decimal Quantity { get; }

    /// <summary>Total cost basis of the lot (not per share), wash-sale adjustment included; 0 or more.</summary>
    public decimal CostBasis { get; }

    /// <summary>Total disallowed wash-sale loss included in <see cref="CostBasis"/>; between 0 and <see cref="CostBasis"/>.</summary>
    public decimal WashSaleAdjustment { get; }

    /// <summary>Cost basis per share, unrounded.</summary>
    public decimal CostBasisPerShare => CostBasis / Quantity;
}
