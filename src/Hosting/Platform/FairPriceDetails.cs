using Cloudwall.Rx.Core;
using Cloudwall.Rx.Pricing;

namespace Cloudwall.Rx.Hosting.Platform;

/// <summary>Per-source detail of every emitted fair price (ratio to fair, status), for the quality layer and tests.</summary>
public sealed class FairPriceDetails
{
    /// <summary>Raised on the pricing partition's thread. Handlers must not block.</summary>
    public event FairPriceDetailHandler? Detail;

    public void Raise(in FairPrice price, ReadOnlySpan<SourceDetail> sources) => Detail?.Invoke(price, sources);
}
