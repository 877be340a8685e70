namespace Cloudwall.Rx.Pricing;

/// <summary>
/// The pure arithmetic of the fair price (docs/fair-price.md, steps 3-5), on spans so that the engine can run it on
/// reused scratch buffers: no allocation, no LINQ. Source counts are small (a handful of venues), so the sorts are
/// insertion sorts.
/// </summary>
public static class FairPriceMath
{
    /// <summary>The plain median (mean of the two middle values for an even count). Sorts <paramref name="values"/>.</summary>
    public static decimal Median(Span<decimal> values)
    {
        if (values.IsEmpty)
        {
            return 0m;
        }

        InsertionSort(values);
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2m;
    }

    /// <summary>
    /// Missing volume: when no weight is positive every source weighs 1 (equal weights); when only some are missing,
    /// each missing one weighs as much as the smallest positive weight, so a quote-only venue counts without dominating.
    /// </summary>
    public static void FillMissingWeights(Span<decimal> weights)
    {
        var min = decimal.MaxValue;
        foreach (var w in weights)
        {
            if (w > 0m && w < min)
            {
                min = w;
            }
        }

        var fill = min == decimal.MaxValue ? 1m : min;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] <= 0m)
            {
                weights[i] = fill;
            }
        }
    }

    /// <summary>
    /// Caps every weight so that none exceeds <paramref name="maxShare"/> of the (capped) total: the largest k weights
    /// are lowered to a common x = share·R/(1 − k·share), R being the sum of the others, for the smallest k that keeps
    /// x at or above the next weight. When the cap cannot be met (share·n ≤ 1) all weights become equal.
    /// <paramref name="scratch"/> must be at least as long as <paramref name="weights"/>.
    /// </summary>
    public static void CapWeights(Span<decimal> weights, decimal maxShare, Span<decimal> scratch)
    {
        var n = weights.Length;
        if (n == 0)
        {
            return;
        }

        decimal total = 0m, max = 0m;
        foreach (var w in weights)
        {
            total += w;
            if (w > max)
            {
                max = w;
            }
        }

        if (max <= maxShare * total)
        {
            return;
        }

        if (maxShare * n <= 1m)
        {
            weights.Fill(1m);
            return;
        }

        var sorted = scratch[..n];
        weights.CopyTo(sorted);
        InsertionSort(sorted);
        sorted.Reverse();
        decimal top = 0m;
        for (var k = 1; k < n; k++)
        {
            top += sorted[k - 1];
            if (maxShare * k >= 1m)
            {
                break;
            }

            var x = maxShare * (total - top) / (1m - maxShare * k);
            if (sorted[k] <= x)
            {
                for (var i = 0; i < n; i++)
                {
                    if (weights[i] > x)
                    {
                        weights[i] = x;
                    }
                }

                return;
            }
        }

        weights.Fill(1m);
    }

    /// <summary>Sorts prices ascending (ties by weight, so the order depends only on the values), carrying the weights and the source indexes along.</summary>
    public static void SortByPrice(Span<decimal> prices, Span<decimal> weights, Span<int> index)
    {
        for (var i = 1; i < prices.Length; i++)
        {
            var p = prices[i];
            var w = weights[i];
            var x = index[i];
            var j = i - 1;
            while (j >= 0 && (prices[j] > p || (prices[j] == p && weights[j] > w)))
            {
                prices[j + 1] = prices[j];
                weights[j + 1] = weights[j];
                index[j + 1] = index[j];
                j--;
            }

            prices[j + 1] = p;
            weights[j + 1] = w;
            index[j + 1] = x;
        }
    }

    /// <summary>
    /// The weighted q-quantile of prices sorted ascending: the first price whose cumulative weight reaches q·W; when the
    /// cumulative weight lands exactly on q·W, the mean of that price and the next (the usual convention for the
    /// median of an even count, extended to weights). Depends only on the multiset of (price, weight) pairs.
    /// </summary>
    public static decimal WeightedQuantile(ReadOnlySpan<decimal> sortedPrices, ReadOnlySpan<decimal> weights, decimal total, decimal q)
    {
        var n = sortedPrices.Length;
        if (n == 0)
        {
            return 0m;
        }

        var target = q * total;
        decimal cum = 0m;
        for (var i = 0; i < n; i++)
        {
            cum += weights[i];
            if (cum >= target)
            {
                return cum == target && i + 1 < n ? (sortedPrices[i] + sortedPrices[i + 1]) / 2m : sortedPrices[i];
            }
        }

        return sortedPrices[n - 1];
    }

    private static void InsertionSort(Span<decimal> values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            var v = values[i];
            var j = i - 1;
            while (j >= 0 && values[j] > v)
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = v;
        }
    }
}
