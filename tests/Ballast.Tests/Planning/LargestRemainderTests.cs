using Ballast.Planning;

namespace Ballast.Tests.Planning;

/// <summary>
/// Giving the left-over money units by rank (simulation) hands out exactly the units that picking the largest
/// remainder again and again, the first of equal ones, does (the decimal planner's way).
/// </summary>
public sealed class LargestRemainderTests
{
    /// <summary>The picking rule, written out plainly: the reference the rank version must match.</summary>
    private static double[] ByPicking(double[] remainders, int[] buyers, int units)
    {
        var r = (double[])remainders.Clone();
        var values = new double[remainders.Length];
        for (var u = 0; u < units; u++)
        {
            var pick = -1;
            foreach (var i in buyers)
                if (r[i] > 0 && (pick < 0 || r[i] > r[pick])) pick = i;
            if (pick < 0) break;
            values[pick] += 0.01;
            r[pick] = 0;
        }
        return values;
    }

    private static double[] ByRank(double[] remainders, int[] buyers, int units)
    {
        var values = new double[remainders.Length];
        Execution.UnitsByRank((double[])remainders.Clone(), values, buyers, buyers.Length, units, 0.01);
        return values;
    }

    [Fact]
    public void Equal_remainders_go_to_the_first_buyers_in_asset_order()
    {
        double[] remainders = [0.004, 0.007, 0.004, 0, 0.007, 0.004];
        int[] buyers = [0, 1, 2, 3, 4, 5];
        Assert.Equal([0, 0.01, 0, 0, 0.01, 0], ByRank(remainders, buyers, 2));
        Assert.Equal([0.01, 0.01, 0, 0, 0.01, 0], ByRank(remainders, buyers, 3));
        Assert.Equal([0.01, 0.01, 0.01, 0, 0.01, 0], ByRank(remainders, buyers, 4));
    }

    [Fact]
    public void A_zero_remainder_never_gets_a_unit()
    {
        double[] remainders = [0, 0.003, 0];
        Assert.Equal([0, 0.01, 0], ByRank(remainders, [0, 1, 2], 3));
    }

    [Fact]
    public void Random_remainders_with_many_ties_match_picking()
    {
        var random = new Random(7);
        for (var run = 0; run < 20_000; run++)
        {
            var n = random.Next(1, 17);
            // Few distinct values, so that ties are common; some zeros.
            var remainders = Enumerable.Range(0, n).Select(_ => random.Next(0, 4) * 0.0025).ToArray();
            var buyers = Enumerable.Range(0, n).Where(_ => random.Next(4) > 0).ToArray();
            var candidates = buyers.Count(i => remainders[i] > 0);
            var units = random.Next(0, candidates + 1);
            Assert.Equal(ByPicking(remainders, buyers, units), ByRank(remainders, buyers, units));
        }
    }
}
