using Cloudwall.Rx.Core;

namespace Cloudwall.Rx.Quality.Stats;

/// <summary>
/// Receives closed series windows. Called from pricing partitions, so possibly from several threads at once, once per
/// window boundary per partition with every series that partition knows; the list is reused after the call returns.
/// </summary>
public interface ISeriesWindowSink
{
    void OnWindows(IReadOnlyList<SeriesWindow> windows);
}

/// <summary>The instrument's fair price at window end, when known (a hook into pricing; must not allocate or block).</summary>
public delegate bool FairPriceLookup(InstrumentId instrument, out decimal price);

/// <summary>Active subscriptions of a series at window end.</summary>
public delegate int ActiveSubscriptionsLookup(in SeriesKey key);

/// <summary>Hands each batch to several sinks (metrics exporter, detectors, Kafka); one failing sink does not starve the others.</summary>
public sealed class SeriesWindowFanOut(params ISeriesWindowSink[] sinks) : ISeriesWindowSink
{
    public void OnWindows(IReadOnlyList<SeriesWindow> windows)
    {
        List<Exception>? errors = null;
        foreach (var sink in sinks)
        {
            try
            {
                sink.OnWindows(windows);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("a series window sink failed", errors);
        }
    }
}
