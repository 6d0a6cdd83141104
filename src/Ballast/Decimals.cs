namespace Ballast;

/// <summary>Exact <see cref="decimal"/> helpers shared by every writer of numbers.</summary>
public static class Decimals
{
    /// <summary>
    /// The same value at the smallest scale that holds it exactly: <c>1.2500</c> becomes <c>1.25</c>, <c>40.00</c> becomes
    /// <c>40</c>, and zero (of any scale or sign) becomes <c>0</c>. Decimal arithmetic keeps the scale of its inputs; documents
    /// print this shortest exact form. (It is what dividing by <c>1.0000000000000000000000000000m</c> gives, without the division.)
    /// </summary>
    public static decimal Shortest(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        if (bits[2] == 0)
        {
            var m = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
            if (m == 0) return 0m;
            if (scale == 0) return value;
            while (scale > 0)
            {
                var q = m / 10;
                if (q * 10 != m) break;
                m = q;
                scale--;
            }
            return new decimal((int)(uint)m, (int)(uint)(m >> 32), 0, negative, (byte)scale);
        }
        if (scale == 0) return value;
        var wide = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        while (scale > 0)
        {
            var q = wide / 10;
            if (q * 10 != wide) break;
            wide = q;
            scale--;
        }
        return new decimal((int)(uint)wide, (int)(uint)(wide >> 32), (int)(uint)(wide >> 64), negative, (byte)scale);
    }
}
