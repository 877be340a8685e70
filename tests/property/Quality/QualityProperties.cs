using System.Text;
using Cloudwall.Rx.Core;
using Cloudwall.Rx.Quality;
using Cloudwall.Rx.Quality.Alerts;
using Cloudwall.Rx.Quality.Detectors;
using Cloudwall.Rx.Quality.Stats;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Cloudwall.Rx.Tests.Property.Quality;

public sealed class QualityProperties
{
    private sealed class Recorder : IAlertNotifier
    {
        public List<AlertNotification> All { get; } = new();

        public void Notify(AlertNotification notification) => All.Add(notification);
    }

    [Property(MaxTest = 500)]
    public FsCheck.Property Clock_offset_estimate_is_the_skew_less_a_low_recent_latency()
    {
        // Positive latencies of 1 µs .. 100 ms, a constant skew of −10 s .. +10 s, windows of 16 .. 256 samples.
        var latencies = Gen.Choose(1, 100_000).Select(us => us * UnixTime.NanosPerMicro).ArrayOf();
        var setup = Gen.Zip(Gen.Choose(-10_000, 10_000).Select(ms => ms * UnixTime.NanosPerMilli), Gen.Choose(16, 256));
        return Prop.ForAll(Gen.Zip(latencies, setup).ToArbitrary(), input =>
        {
            var (lat, (skew, capacity)) = input;
            var estimator = new ClockOffsetEstimator(capacity);
            foreach (var l in lat)
            {
                estimator.Add(l - skew); // receive − exchange
            }

            if (!estimator.TryEstimate(out var offset))
            {
                return lat.Length == 0;
            }

            var recent = lat[^Math.Min(capacity, lat.Length)..];
            var implied = skew - offset; // the latency the estimate takes as the low end
            var below = recent.Count(l => l < implied);
            return Math.Abs(offset - skew) <= 100 * UnixTime.NanosPerMilli &&
                   implied >= recent.Min() && implied <= recent.Max() &&
                   below < ClockOffsetEstimator.Percentile * recent.Length && // robust: at most 5 % of latencies below it
                   recent.Count(l => l <= implied) >= ClockOffsetEstimator.Percentile * recent.Length;
        });
    }

    [Property(MaxTest = 1000)]
    public FsCheck.Property Ewma_threshold_stays_within_floor_and_ceiling()
    {
        var samples = Gen.Choose(0, 1_000_000_000).Select(i => i / 1000.0).ArrayOf();
        var setup = Gen.Zip(Gen.Zip(Gen.Choose(1, 60), Gen.Choose(0, 600)), Gen.Choose(1, 100)).Select(t => (t.Item1.Item1, t.Item1.Item2, (double)t.Item2));
        return Prop.ForAll(Gen.Zip(samples, setup).ToArbitrary(), input =>
        {
            var (xs, (floorS, extraS, mult)) = input;
            var floor = floorS * UnixTime.NanosPerSecond;
            var ceiling = (floorS + extraS) * UnixTime.NanosPerSecond;
            var e = new Ewma();
            var ok = AdaptiveThreshold.Compute(e, mult, floor, ceiling) == ceiling; // ceiling until learned
            foreach (var x in xs)
            {
                e.Update(x, 0.1);
                var t = AdaptiveThreshold.Compute(e, mult, floor, ceiling);
                ok &= t >= floor && t <= ceiling;
            }

            return ok;
        });
    }

    [Property(MaxTest = 500)]
    public FsCheck.Property Alert_manager_never_sends_two_firings_for_one_key_without_a_resolve_between()
    {
        // An op: (key 0..2, fire or clear, seconds to advance 0..90).
        var op = Gen.Zip(Gen.Zip(Gen.Choose(0, 2), Gen.Elements(true, false)), Gen.Choose(0, 90)).Select(t => (t.Item1.Item1, t.Item1.Item2, t.Item2));
        var limits = Gen.Zip(Gen.Choose(1, 5), Gen.Choose(1, 120));
        return Prop.ForAll(Gen.Zip(op.ArrayOf(), limits).ToArbitrary(), input =>
        {
            var (ops, (burst, perMinute)) = input;
            var rec = new Recorder();
            var m = new AlertManager(new AlertOptions { Burst = burst, MaxNotificationsPerMinute = perMinute }, rec);
            var keys = new AlertKey[3];
            for (var i = 0; i < 3; i++) keys[i] = new AlertKey(DetectorNames.Divergence, AlertScope.ForVenue(ProviderId.Aggregator, new VenueId((byte)(i + 1))));
            var now = 0L;
            foreach (var (k, fire, dt) in ops)
            {
                now += dt * UnixTime.NanosPerSecond;
                if (fire) m.Fire(keys[k], new AlertReading(AlertSeverity.Warning, "x", 1, 0, "", now), now);
                else m.Clear(keys[k], now);
            }

            var firing = new Dictionary<string, bool>();
            foreach (var n in rec.All)
            {
                var open = firing.TryGetValue(n.Fingerprint, out var o) && o;
                if (n.Status == AlertStatus.Firing == open) return false; // firing while open, or resolved while closed
                firing[n.Fingerprint] = n.Status == AlertStatus.Firing;
            }

            return true;
        });
    }

    [Property(MaxTest = 1000)]
    public bool Webhook_signature_verifies_for_any_body_and_fails_for_any_change(byte[] body, NonEmptyString secret, uint stamp)
    {
        byte[][] keys = [Encoding.UTF8.GetBytes(secret.Get)];
        var t = (long)stamp;
        var id = WebhookSignature.MessageId(body);
        var header = WebhookSignature.Sign(keys, id, t, body);
        var now = DateTimeOffset.FromUnixTimeSeconds(t);
        var ts = t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ok = WebhookSignature.Verify(id, ts, header, keys, body, now) == WebhookVerification.Valid;
        var tampered = body.Length == 0 ? [1] : (byte[])body.Clone();
        if (body.Length > 0) tampered[0] ^= 0x01;
        return ok && WebhookSignature.Verify(id, ts, header, keys, tampered, now) == WebhookVerification.NoMatchingSignature
                  && WebhookSignature.Verify(id, ts, header, keys, body, now.AddSeconds(301)) == WebhookVerification.TooOld;
    }

    [Property(MaxTest = 300)]
    public bool Sustained_condition_needs_the_full_duration(bool[] observations)
    {
        // One observation per second; "for" is 5 s: active only after 6 consecutive trues (0..5 s), clear at once.
        var c = new SustainedCondition();
        var run = 0;
        for (var i = 0; i < observations.Length; i++)
        {
            run = observations[i] ? run + 1 : 0;
            var active = c.Observe(observations[i], (i + 1) * UnixTime.NanosPerSecond, 5 * UnixTime.NanosPerSecond, 0);
            if (active != run >= 6) return false;
        }

        return true;
    }
}
