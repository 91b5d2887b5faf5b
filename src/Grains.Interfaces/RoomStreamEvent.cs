namespace OrleansChat;

/// <summary>
/// What a room publishes on its stream. Closed: every kind is declared here, and a subscriber handles each.
/// The stream is only a fast path; the room's log stays the truth, so a lost event is filled from the room by seq.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.room-stream-event")]
public abstract record RoomStreamEvent
{
    private protected RoomStreamEvent()
    {
    }
}

/// <summary>
/// Consecutive events stored by one append, in seq order, all of the log's <see cref="Epoch"/>. One stream event per
/// append keeps a hot room's stream traffic proportional to appends, not events.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.room-event-batch")]
public sealed record RoomEventBatch(
    [property: Id(0)] string Epoch,
    [property: Id(1)] IReadOnlyList<RoomEvent> Events) : RoomStreamEvent;
