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

    /// <summary>Closes <paramref name="quantity"/> shares; returns an error when named lots cannot cover it.</summary>
    public static string? Consume(AccountState s, long securityId, long quantity, string? namedLots)
    {
        var open = s.OpenLots.GetValueOrDefault(securityId) ?? [];
        List<Lot> order;
        if (string.IsNullOrWhiteSpace(namedLots))
        {
            order = [.. open.OrderBy(l => l.OpenDate, StringComparer.Ordinal).ThenBy(l => l.OpenTransactionId)];
        }
        else
        {
            order = [];
            foreach (var part in namedLots.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var lot = long.TryParse(part, out var lotId) ? open.Find(l => l.OpenTransactionId == lotId) : null;
                if (lot is null) return $"lot {part} is not an open lot of this security in this account";
                order.Add(lot);
            }
            if (order.Sum(l => l.Remaining) < quantity) return "the named lots hold fewer shares than the sell";
        }
        var left = quantity;
        foreach (var lot in order.ToList())
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
        // Holdings can exceed lots only if a projection was damaged; the holdings check has already passed.
        return left == 0 ? null : "the open lots hold fewer shares than the holding";
    }

    private static void MarkDirty(AccountState s, Lot lot)
    {
        if (lot.Dirty) return;
        lot.Dirty = true;
        s.DirtyLots.Add(lot);
    }
}
