using System.Diagnostics.Metrics;
using OrleansChat.Telemetry;

namespace OrleansChat.Api.Presence;

/// <summary>Presence on the node's side of the <c>OrleansChat</c> meter: what it reports, delivers and forwards.</summary>
internal sealed class PresenceMetrics
{
    private readonly Meter _meter;
    private readonly Counter<long> _reports;
    private readonly Counter<long> _events;
    private readonly Counter<long> _typing;

    public PresenceMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(ChatTelemetry.Name);
        _reports = _meter.CreateCounter<long>("chat.presence.reports", "{call}", "Calls to rooms' presence grains, by kind: changes (one per room per interval) or renewal.");
        _events = _meter.CreateCounter<long>("chat.presence.events", "{event}", "Presence events a node's presence feeds handed to their streams (once per node, not per stream), by type: join, leave, typing, presence (a refresh).");
        _typing = _meter.CreateCounter<long>("chat.presence.typing", "{request}", "Typing requests, by outcome: forwarded, or throttled (more than one per user and room per 2 s).");
    }

    /// <summary>Streams (with or without an identity) this node counts as present in their rooms.</summary>
    public void ObserveCountedStreams(Func<int> count) =>
        _meter.CreateObservableGauge("chat.presence.streams", count, "{stream}", "Event streams this node counts in its rooms' presence.");

    public void Reported(bool renewal) => _reports.Add(1, new KeyValuePair<string, object?>("kind", renewal ? "renewal" : "changes"));

    public void Delivered(string type, int events) => _events.Add(events, new KeyValuePair<string, object?>("type", type));

    public void Typed(bool forwarded) => _typing.Add(1, new KeyValuePair<string, object?>("outcome", forwarded ? "forwarded" : "throttled"));
}
