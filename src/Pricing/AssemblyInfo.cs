namespace Cloudwall.Rx.Pricing;
