using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansChat.Telemetry;

/// <summary>The silo's side of the <c>OrleansChat</c> telemetry: how the room log's appends go.</summary>
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

    /// <summary>
    /// Runs one append of a batch of <paramref name="events"/> events to a room's log under its own span, and records
    /// how long it took and whether it failed.
    /// </summary>
    public async Task<long> MeasureAppendAsync(int events, Func<Task<long>> append)
    {
        // The span of the post whose arrival started the room's flush is the parent; later batches of the flush share it.
        using var activity = ChatTelemetry.Source.StartActivity("chat.store.append");
        activity?.SetTag("chat.append.events", events);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var storedUpTo = await append();
            _appendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return storedUpTo;
        }
        catch (Exception exception)
        {
            _appendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _appendFailures.Add(1);
            activity?.AddException(exception).SetStatus(ActivityStatusCode.Error);
            throw;
        }
    }
}
