namespace Cloudwall.Rx.Quality.Scorecard;

public sealed class ScorecardAggregator
{
    public void OnWindow(SeriesWindow w, double? ratio) { }
    public void OnSequenceGap(in SeriesKey key, long missing) { }
}
