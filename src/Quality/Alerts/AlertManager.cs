using System.Diagnostics;
using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Alerts;

/// <summary>Receives notifications (the <see cref="AlertDispatcher"/> in production). Must not block.</summary>
public interface IAlertNotifier
{
    void Notify(AlertNotification notification);
}

/// <summary>Counters of the alert lifecycle.</summary>
public readonly record struct AlertManagerStats(long Fired, long Resolved, long Suppressed, int Open);

/// <summary>
/// The alert lifecycle: firing → resolved, one open alert per (detector, label set), rate-limited.
/// Invariant: for one key, a firing notification is always followed by a resolved one before the next firing.
/// An alert that the rate limit (or the re-fire hold-down) keeps quiet stays open and is announced on a later
/// evaluation when allowed; if it resolves before then, neither its firing nor its resolve is sent.
/// </summary>
public sealed class AlertManager : IAlertReporter
{
    private readonly object _gate = new();
    private readonly Dictionary<AlertKey, OpenAlert> _open = new();
    private readonly Dictionary<AlertKey, long> _lastResolvedNotifiedNs = new();
    private readonly IAlertNotifier _notifier;
    private readonly Func<InstrumentId, string> _instrumentName;
    private readonly double _tokensPerNs;
    private readonly double _burst;
    private readonly long _holdDownNs;
    private double _tokens;
    private long _tokensAtNs = long.MinValue;
    private long _fired;
    private long _resolved;
    private long _suppressed;

    public AlertManager(AlertOptions options, IAlertNotifier notifier, Func<InstrumentId, string>? instrumentName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _notifier = notifier ?? throw new ArgumentNullException(nameof(notifier));
        _instrumentName = instrumentName ?? DefaultInstrumentName;
        _tokensPerNs = options.MaxNotificationsPerMinute / 60e9;
        _burst = options.Burst;
        _tokens = _burst;
        _holdDownNs = options.RefireHoldDown.Ticks * UnixTime.NanosPerTick;
    }

    public AlertManagerStats Stats
    {
        get
        {
            lock (_gate) return new AlertManagerStats(_fired, _resolved, _suppressed, _open.Count);
        }
    }

    /// <summary>A snapshot of the open alerts (announced or not), for the scorecard and /quality.</summary>
    public IReadOnlyList<AlertNotification> OpenAlerts()
    {
        lock (_gate)
        {
            var list = new List<AlertNotification>(_open.Count);
            foreach (var a in _open.Values) list.Add(a.ToNotification(AlertStatus.Firing, a.Reading.SinceNs));
            return list;
        }
    }

    public bool IsOpen(in AlertKey key)
    {
        lock (_gate) return _open.ContainsKey(key);
    }

    public void Fire(in AlertKey key, in AlertReading reading, long nowNs)
    {
        AlertNotification? send = null;
        lock (_gate)
        {
            if (!_open.TryGetValue(key, out var alert))
            {
                alert = new OpenAlert(key, Labels(key.Scope), reading);
                _open.Add(key, alert);
            }
            else
            {
                // Keep the first start time; refresh the values and allow escalation (no new notification).
                var since = Math.Min(alert.Reading.SinceNs, reading.SinceNs);
                var severity = reading.Severity > alert.Reading.Severity ? reading.Severity : alert.Reading.Severity;
                alert.Reading = reading with { SinceNs = since, Severity = severity };
            }

            if (!alert.Notified)
            {
                if (MayAnnounce(key, nowNs))
                {
                    alert.Notified = true;
                    _fired++;
                    send = alert.ToNotification(AlertStatus.Firing, nowNs);
                }
                else if (!alert.CountedSuppressed)
                {
                    alert.CountedSuppressed = true;
                    _suppressed++;
                }
            }

            AssertInvariants();
        }

        if (send is not null) _notifier.Notify(send);
    }

    public void Clear(in AlertKey key, long nowNs)
    {
        AlertNotification? send = null;
        lock (_gate)
        {
            if (!_open.Remove(key, out var alert)) return;
            if (alert.Notified)
            {
                _resolved++;
                _lastResolvedNotifiedNs[key] = nowNs;
                send = alert.ToNotification(AlertStatus.Resolved, nowNs);
            }
        }

        if (send is not null) _notifier.Notify(send);
    }

    private bool MayAnnounce(in AlertKey key, long nowNs)
    {
        if (_lastResolvedNotifiedNs.TryGetValue(key, out var last) && nowNs - last < _holdDownNs) return false;
        if (_tokensAtNs != long.MinValue && nowNs > _tokensAtNs) _tokens = Math.Min(_burst, _tokens + (nowNs - _tokensAtNs) * _tokensPerNs);
        if (nowNs > _tokensAtNs) _tokensAtNs = nowNs;
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    private AlertLabels Labels(in AlertScope s) => new(
        s.Provider.Code == 0 ? null : s.Provider.Name,
        s.Venue.Code == 0 ? null : s.Venue.Name,
        s.Instrument.IsNone ? null : _instrumentName(s.Instrument),
        s.DataClass?.ToText(),
        s.Market?.ToText());

    private static string DefaultInstrumentName(InstrumentId id) => id.ToString();

    [Conditional("DEBUG")]
    private void AssertInvariants() => Debug.Assert(_tokens <= _burst + 1e-9, "token bucket above burst");

    private sealed class OpenAlert(AlertKey key, AlertLabels labels, AlertReading reading)
    {
        public AlertKey Key { get; } = key;
        public AlertLabels Labels { get; } = labels;
        public AlertReading Reading { get; set; } = reading;
        public bool Notified { get; set; }
        public bool CountedSuppressed { get; set; }

        public AlertNotification ToNotification(AlertStatus status, long atNs) => new(
            Fingerprint.Of(Key, Labels), Key.Detector, status, Reading.Severity, Key.Scope.Level, Labels, Reading.What,
            Reading.SinceNs, atNs, Reading.Current, Reading.Expected, Reading.Unit, AlertText.Message(Key.Detector, Labels, Reading));
    }
}

/// <summary>The stable, readable identity of an alert: also the Kafka message key.</summary>
public static class Fingerprint
{
    public static string Of(in AlertKey key, AlertLabels l) =>
        string.Join('|', key.Detector, key.Scope.Level.ToText(), l.Provider ?? "", l.Venue ?? "", l.Instrument ?? "", l.DataClass ?? "", l.Market ?? "");
}

public static class QualityText
{
    public static string ToText(this AlertLevel l) => l switch
    {
        AlertLevel.Series => "series",
        AlertLevel.Instrument => "instrument",
        AlertLevel.DataClass => "data_class",
        AlertLevel.Venue => "venue",
        AlertLevel.Provider => "provider",
        _ => "unknown",
    };

    public static string ToText(this AlertSeverity s) => s switch
    {
        AlertSeverity.Info => "info",
        AlertSeverity.Warning => "warning",
        AlertSeverity.Critical => "critical",
        _ => "unknown",
    };
}
