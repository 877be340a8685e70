using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Hosting.Platform;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary><c>Providers:&lt;name&gt;:Level</c>: one of the levels the provider's venue offers, its first by default.</summary>
public sealed class ProviderLevelOptionsTests
{
    [Fact]
    public void Every_kind_offers_at_least_one_level_with_distinct_names_and_says_what_each_loses()
    {
        foreach (var name in ProviderCatalog.Names)
        {
            Assert.True(ProviderCatalog.TryGet(name, out var kind));
            Assert.NotEmpty(kind.Levels);
            Assert.Equal(kind.Levels.Count, kind.Levels.Select(l => l.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
            Assert.All(kind.Levels, l => Assert.False(string.IsNullOrWhiteSpace(l.Carries) || string.IsNullOrWhiteSpace(l.Loses), $"{name}:{l.Name}"));
            Assert.Same(kind.Levels[0], kind.Level(null));
        }
    }

    [Fact]
    public void A_level_the_venue_does_not_offer_is_refused_naming_the_ones_it_does()
    {
        var errors = new ProviderOptions { Type = "coinbase", Level = "tick-by-tick" }.Errors("Providers:coinbase").ToList();

        var error = Assert.Single(errors);
        Assert.Contains("Providers:coinbase:Level 'tick-by-tick' is not a level of coinbase", error);
        Assert.Contains(ProviderLevel.TradesName, error);
    }

    [Fact]
    public void No_level_or_a_level_in_any_case_is_accepted()
    {
        Assert.Empty(new ProviderOptions { Type = "coinbase" }.Errors("Providers:coinbase"));
        Assert.Empty(new ProviderOptions { Type = "coinbase", Level = "TRADES" }.Errors("Providers:coinbase"));
    }
}
