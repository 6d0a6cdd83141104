namespace Ballast.Store.Ledger;

/// <summary>
/// Minimal lot bookkeeping: a buy opens a lot; a sell closes named lots (by opening transaction id)
/// or else the oldest first (FIFO: by acquisition date, then by opening transaction, as the engine's lot selector
/// orders them; a backdated buy is older than the lots recorded before it). Cost basis of a partly closed lot shrinks in proportion,
/// rounded half away from zero. Kept apart so the engine's tax-lot selection can replace it.
/// </summary>
internal static class LotBook
{
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

    /// <summary>
    /// Closes <paramref name="quantity"/> shares on <paramref name="date"/>; returns an error when the lots open on that
    /// date cannot cover it. A sale never consumes a lot opened after its date. A reducing adjustment (a positions
    /// snapshot or its reconciliation, <paramref name="adjustment"/>) takes the lots opened on its own date first,
    /// newest first, then the oldest: so a history imported after a snapshot keeps its own lots and dates, and the
    /// snapshot's stand-in lot gives way.
    /// </summary>
    public static string? Consume(AccountState s, long securityId, long quantity, string? namedLots, string date, bool adjustment = false)
    {
        var open = s.OpenLots.GetValueOrDefault(securityId) ?? [];
        List<Lot> order;
        if (string.IsNullOrWhiteSpace(namedLots))
        {
            var eligible = open.Where(l => string.CompareOrdinal(l.OpenDate, date) <= 0);
            order = adjustment
                ? [.. eligible.OrderBy(l => l.OpenDate == date ? 0 : 1).ThenByDescending(l => l.OpenDate == date ? l.OpenTransactionId : 0)
                    .ThenBy(l => l.OpenDate, StringComparer.Ordinal).ThenBy(l => l.OpenTransactionId)]
                : [.. eligible.OrderBy(l => l.OpenDate, StringComparer.Ordinal).ThenBy(l => l.OpenTransactionId)];
            var available = order.Sum(l => l.Remaining);
            if (available < quantity)
            {
                var later = open.Where(l => string.CompareOrdinal(l.OpenDate, date) > 0).Sum(l => l.Remaining);
                return $"only {Scaled.Format(Scaled.Quantity(available))} were held on that date" +
                       (later > 0 ? $"; {Scaled.Format(Scaled.Quantity(later))} more were acquired later, and a sale cannot take shares acquired after it" : "");
            }
        }
        else
        {
            order = [];
            foreach (var part in namedLots.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var lot = long.TryParse(part, out var lotId) ? open.Find(l => l.OpenTransactionId == lotId) : null;
                if (lot is null) return $"lot {part} is not an open lot of this security in this account";
                if (string.CompareOrdinal(lot.OpenDate, date) > 0) return $"lot {part} was opened on {lot.OpenDate}, after the sale";
                order.Add(lot);
            }
            if (order.Sum(l => l.Remaining) < quantity) return "the named lots hold fewer shares than the sell";
        }
        var left = quantity;
        foreach (var lot in order)
        {
            if (left == 0) break;
            var take = Math.Min(left, lot.Remaining);
            if (lot.Cost is { } cost)
                lot.Cost = cost - (long)decimal.Round((decimal)cost * take / lot.Remaining, 0, MidpointRounding.AwayFromZero);
            lot.Remaining -= take;
            left -= take;
            MarkDirty(s, lot);
            if (lot.Remaining == 0) open.Remove(lot);
        }
        return left == 0 ? null : "the open lots hold fewer shares than the holding";
    }

    private static void MarkDirty(AccountState s, Lot lot)
    {
        if (lot.Dirty) return;
        lot.Dirty = true;
        s.DirtyLots.Add(lot);
    }
}
