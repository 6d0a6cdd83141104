using System.Globalization;
using Ballast.Tax;

namespace Ballast.Store.Ledger;

/// <summary>
/// The store's thin layer over the engine's lot selection (<see cref="LotSelector"/>): a buy (or a positive adjustment)
/// opens a lot; a reducing transaction consumes lots chosen and split by the engine, with the account's lot method
/// (<c>accounts.lot_method</c>: fifo, lifo, hifo or tax-min), the engine's tie-break (acquisition date, then lot id
/// compared by <see cref="LotIdComparer"/>, numbers by value; a stored lot's id is its opening transaction id, so same-day lots go in the order they were recorded) and the engine's rounding of a partly consumed
/// lot's basis (the consumed part rounded half away from zero to the store's 4 money decimals, the lot keeping the exact rest).
/// What the store adds, and only chooses which lots the engine consumes:
/// <list type="bullet">
/// <item>A sale never consumes a lot opened after its date: the engine sees only the lots open on that date.</item>
/// <item>A sale that names lots (<c>lots</c> column: <c>id</c> or <c>id:quantity</c>, comma-separated) is a specific-lot sale;
/// an id without a quantity gives what is still needed, in the order named.</item>
/// <item>A reducing adjustment (a positions snapshot or its reconciliation) takes the lots opened on its own date first,
/// newest first, then the oldest: so a history imported after a snapshot keeps its own lots and dates, and the
/// snapshot's stand-in lot gives way (see <see cref="Import.History"/>). It is passed to the engine as a specific-lot sale.</item>
/// </list>
/// Every sale is recorded with the lots it consumed (<c>id:quantity</c>), so a replay of the ledger, in the store or by the
/// engine's <see cref="LotLedger"/>, consumes the same shares and never chooses again (a tax-min choice depends on proceeds).
/// A lot whose cost is unknown (an adjustment without a price) counts as basis 0 for the engine and keeps an unknown cost.
/// </summary>
internal static class StoreLots
{
    private static readonly LotSelector Selector = new(Scaled.MoneyScale);

    public static void Add(AccountState s, Lot lot)
    {
        if (!s.OpenLots.TryGetValue(lot.SecurityId, out var list)) s.OpenLots[lot.SecurityId] = list = [];
        list.Add(lot);
    }

    public static void Open(AccountState s, Lot lot)
    {
        Add(s, lot);
        MarkDirty(s, lot);
    }

    /// <summary>The lot id the engine sees for a stored lot: its opening transaction id.</summary>
    public static string LotId(long openTransactionId) => openTransactionId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Closes <paramref name="quantity"/> shares on <paramref name="date"/>; returns an error when the lots open on that
    /// date cannot cover it. <paramref name="proceeds"/> (stored money, 0 or more) orders tax-min lots.
    /// <paramref name="consumed"/> is the <c>id:quantity</c> list of a specific-lot or adjustment sale, null otherwise.
    /// </summary>
    public static string? Consume(AccountState s, long securityId, long quantity, long proceeds, string? namedLots, string date, bool adjustment,
        out string? consumed)
    {
        consumed = null;
        var open = s.OpenLots.GetValueOrDefault(securityId) ?? [];
        var eligible = open.Where(l => string.CompareOrdinal(l.OpenDate, date) <= 0).ToList();
        List<(Lot Lot, long Take)>? specific = null;
        if (!string.IsNullOrWhiteSpace(namedLots))
        {
            specific = [];
            var left = quantity;
            foreach (var part in namedLots.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var colon = part.IndexOf(':');
                var idText = colon < 0 ? part : part[..colon];
                var lot = long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var lotId) ? open.Find(l => l.OpenTransactionId == lotId) : null;
                if (lot is null) return $"lot {idText} is not an open lot of this security in this account";
                if (string.CompareOrdinal(lot.OpenDate, date) > 0) return $"lot {idText} was opened on {lot.OpenDate}, after the sale";
                if (specific.Any(x => x.Lot == lot)) return $"lot {idText} is named twice";
                long take;
                if (colon < 0) take = Math.Min(left, lot.Remaining);
                else if (!decimal.TryParse(part[(colon + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q)
                         || !Scaled.TryToStored(q, Scaled.QuantityScale, out take) || take <= 0 || take > lot.Remaining)
                    return $"lot {idText} cannot give {part[(colon + 1)..]} shares: it holds {Scaled.Format(Scaled.Quantity(lot.Remaining))}";
                if (take == 0) continue;
                specific.Add((lot, take));
                left -= take;
            }
            if (left > 0) return "the named lots hold fewer shares than the sell";
            if (left < 0) return "the named lots give more shares than the sell";
        }
        else
        {
            var available = eligible.Sum(l => l.Remaining);
            if (available < quantity)
            {
                var later = open.Where(l => string.CompareOrdinal(l.OpenDate, date) > 0).Sum(l => l.Remaining);
                return $"only {Scaled.Format(Scaled.Quantity(available))} were held on that date" +
                       (later > 0 ? $"; {Scaled.Format(Scaled.Quantity(later))} more were acquired later, and a sale cannot take shares acquired after it" : "");
            }
            if (adjustment)
            {
                specific = [];
                var left = quantity;
                foreach (var lot in eligible.OrderBy(l => l.OpenDate == date ? 0 : 1).ThenByDescending(l => l.OpenDate == date ? l.OpenTransactionId : 0)
                             .ThenBy(l => l.OpenDate, StringComparer.Ordinal).ThenBy(l => l.OpenTransactionId))
                {
                    if (left == 0) break;
                    var take = Math.Min(left, lot.Remaining);
                    specific.Add((lot, take));
                    left -= take;
                }
            }
        }

        var byId = new Dictionary<string, Lot>(StringComparer.Ordinal);
        var lots = new List<TaxLot>(eligible.Count);
        foreach (var l in eligible)
        {
            var id = LotId(l.OpenTransactionId);
            byId[id] = l;
            lots.Add(new TaxLot(id, "S", "A", DateOnly.ParseExact(l.OpenDate, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                Scaled.Quantity(l.Remaining), Scaled.Money(l.Cost is { } c && c > 0 ? c : 0)));
        }
        var sale = Selector.SellForProceeds(lots, Scaled.Quantity(quantity), Scaled.Money(Math.Max(0, proceeds)), DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            specific is null ? s.LotMethod : LotSelectionMethod.Specific,
            specific?.Select(x => new SpecificLot(LotId(x.Lot.OpenTransactionId), Scaled.Quantity(x.Take))).ToList());
        var rest = sale.RemainingLots.ToDictionary(l => l.Id, StringComparer.Ordinal);
        foreach (var slice in sale.Slices)
        {
            var lot = byId[slice.LotId];
            lot.Remaining -= Scaled.RoundToStored(slice.Quantity, Scaled.QuantityScale);
            if (lot.Cost is not null) lot.Cost = rest.TryGetValue(slice.LotId, out var r) ? Scaled.Money(r.CostBasis) : 0;
            MarkDirty(s, lot);
            if (lot.Remaining == 0) open.Remove(lot);
        }
        // Every sale records the lots it consumed, so a replay (verify, the tax view) takes the same shares and never chooses again.
        consumed = string.Join(",", sale.Slices.Select(x => $"{x.LotId}:{Scaled.Format(Scaled.Quantity(Scaled.RoundToStored(x.Quantity, Scaled.QuantityScale)))}"));
        return null;
    }

    private static void MarkDirty(AccountState s, Lot lot)
    {
        if (lot.Dirty) return;
        lot.Dirty = true;
        s.DirtyLots.Add(lot);
    }
}
