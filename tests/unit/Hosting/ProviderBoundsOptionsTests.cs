using Cloudwall.Rx.Hosting.Configuration;
using Cloudwall.Rx.Ingestion;
using Microsoft.Extensions.Configuration;

namespace Cloudwall.Rx.Tests.Unit.Hosting;

/// <summary><c>Providers:&lt;name&gt;:MaxFutureSkew</c> and <c>MaxAge</c>: bound, defaulted, validated with the key named.</summary>
public sealed class ProviderBoundsOptionsTests
{
    [Fact]
    public void The_bounds_bind_per_provider_and_default_to_a_minute_ahead_and_a_week_behind()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:coinbase:MaxFutureSkew"] = "00:00:05",
            ["Providers:kraken-futures:MaxAge"] = "2.00:00:00",
        }).Build();
        var providers = config.GetSection(ProvidersOptions.Section).Get<ProvidersOptions>()!;
        providers.ApplyDefaults();

        Assert.Equal(new EventBounds { MaxFutureSkew = TimeSpan.FromSeconds(5), MaxAge = TimeSpan.FromDays(7) }, providers["coinbase"].ToBounds());
        Assert.Equal(new EventBounds { MaxFutureSkew = TimeSpan.FromMinutes(1), MaxAge = TimeSpan.FromDays(2) }, providers["kraken-futures"].ToBounds());
        Assert.Equal(EventBounds.Default, new ProviderOptions().ToBounds());
    }

    [Fact]
    public void A_bound_that_is_not_positive_is_refused_with_its_key()
    {
        var errors = new ProviderOptions { Type = "coinbase", MaxFutureSkew = TimeSpan.Zero, MaxAge = TimeSpan.FromSeconds(-1) }.Errors("Providers:coinbase").ToList();

        Assert.Contains("Providers:coinbase:MaxFutureSkew must be positive (was 00:00:00)", errors);
        Assert.Contains("Providers:coinbase:MaxAge must be positive (was -00:00:01)", errors);
    }
}
