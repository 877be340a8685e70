namespace Cloudwall.Rx.Ingestion;

/// <summary>
/// Pause and resume of one provider, for every provider kind: a pause removes the current subscriptions and holds them,
/// a resume adds them back. Repeated pauses or resumes are no-ops. Callers serialize (the control plane applies one change at a time).
/// </summary>
public sealed class SubscriptionPause
{
    private readonly Lock _gate = new();
    private IReadOnlyCollection<string>? _held;

    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return _held is not null;
            }
        }
    }

    /// <param name="provider">The provider to pause.</param>
    /// <param name="subscribed">Everything it has subscribed now.</param>
    public Task PauseAsync(IMarketDataProvider provider, IReadOnlyCollection<string> subscribed)
    {
        lock (_gate)
        {
            if (_held is not null)
            {
                return Task.CompletedTask;
            }

            _held = subscribed;
        }

        provider.RemoveSubscriptions(subscribed);
        return Task.CompletedTask;
    }

    public Task ResumeAsync(IMarketDataProvider provider)
    {
        IReadOnlyCollection<string>? held;
        lock (_gate)
        {
            held = _held;
            _held = null;
        }

        return held is null ? Task.CompletedTask : provider.AddSubscriptionsAsync(held);
    }
}
