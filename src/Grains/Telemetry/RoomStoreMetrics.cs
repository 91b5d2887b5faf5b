using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansChat.Telemetry;

/// <summary>The silo's side of the <c>OrleansChat</c> meter: how the room log's appends go.</summary>
public sealed class RoomStoreMetrics
{
    private readonly Histogram<double> _appendDuration;
    private readonly Counter<long> _appendFailures;

    public RoomStoreMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(ChatTelemetry.Name);
        _appendDuration = meter.CreateHistogram(
            "chat.store.append.duration",
            unit: "s",
            description: "Time of one append of a batch of messages to a room's log, failed or not.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets.Seconds });
        _appendFailures = meter.CreateCounter<long>(
            "chat.store.append.failures",
            unit: "{append}",
            description: "Appends to a room's log that failed; every post waiting on one got 503.");
    }

    /// <summary>Records an append that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp()"/>).</summary>
    public void Appended(long startTimestamp, bool failed)
    {
        _appendDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        if (failed)
        {
            _appendFailures.Add(1);
        }
    }
}
