namespace OrleansChat.Telemetry;

/// <summary>
/// Histogram buckets for durations in seconds. The OpenTelemetry default buckets (0–10,000) suit milliseconds; a
/// chat's times go from a millisecond (an in-memory append) to seconds (a lagging client).
/// </summary>
public static class DurationBuckets
{
    public static readonly IReadOnlyList<double> Seconds =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
}
