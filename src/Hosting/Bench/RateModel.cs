namespace Cloudwall.Rx.Hosting.Bench;

/// <summary>
/// Input events per second as a function of <c>Simulation:TradesPerSecond</c> (trades per second per product and venue):
/// <c>input = Base + PerSetting × setting</c>. The default simulators publish trades on every product they offer (more
/// than a run subscribes) plus quotes, marks and funding whose rate does not follow the setting, so the line is measured,
/// not counted from configuration: bench/README.md, "End-to-end harness", has the runs it comes from.
/// </summary>
/// <param name="BaseEventsPerSecond">Events per second that do not scale with the setting (quotes, marks, funding).</param>
/// <param name="EventsPerSecondPerSetting">Extra input events per second for each trade per second per product.</param>
public sealed record RateModel(
    [property: System.Text.Json.Serialization.JsonPropertyName("base_events_per_second")] double BaseEventsPerSecond,
    [property: System.Text.Json.Serialization.JsonPropertyName("events_per_second_per_setting")] double EventsPerSecondPerSetting)
{
    /// <summary>
    /// The base from two whole 15 s runs of the default providers (setting 20: 1.0 k/s, setting 200: 7.7 k/s); the slope from
    /// the harness's own steady windows since the Binance simulator merges a taker order's fills into one <c>aggTrade</c>
    /// (setting 651.8: 24.4 k/s in two runs at 4128c6f, where 42.5 per setting had fitted the runs before it). Each
    /// sustained step refits the slope.
    /// </summary>
    public static RateModel Default { get; } = new(300, 37);

    /// <summary>The setting that should give <paramref name="eventsPerSecond"/>; never below 0.1 trade per second per product.</summary>
    public double SettingFor(double eventsPerSecond) =>
        Math.Max(0.1, Math.Round((eventsPerSecond - BaseEventsPerSecond) / EventsPerSecondPerSetting, 1));

    /// <summary>The input rate the model expects from <paramref name="setting"/>.</summary>
    public double EventsPerSecondAt(double setting) => BaseEventsPerSecond + (EventsPerSecondPerSetting * setting);

    /// <summary>
    /// The model for simulators that trade <paramref name="offeredScale"/> times as many instruments: both the trades per
    /// unit of the setting and the per-instrument quotes, marks and funding grow with the instrument count.
    /// </summary>
    public RateModel Scaled(double offeredScale) =>
        this with { BaseEventsPerSecond = BaseEventsPerSecond * offeredScale, EventsPerSecondPerSetting = EventsPerSecondPerSetting * offeredScale };

    /// <summary>
    /// The model refitted through a measured, sustained point, keeping the base: the next step of a ramp or the next fixed
    /// rate then lands nearer its target. Unchanged when the point says nothing (no input above the base).
    /// </summary>
    public RateModel Refit(double setting, double measuredEventsPerSecond) =>
        setting > 0 && measuredEventsPerSecond > BaseEventsPerSecond
            ? this with { EventsPerSecondPerSetting = (measuredEventsPerSecond - BaseEventsPerSecond) / setting }
            : this;
}
