namespace OrleansChat;

/// <summary>
/// A page of history: with <see cref="After"/>, the oldest messages above it; with <see cref="Before"/>, the newest
/// below it; with neither, the latest. Both may be combined to read a bounded range. <see cref="Limit"/> counts messages.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.history-query")]
public sealed record HistoryQuery(
    [property: Id(0)] long? After,
    [property: Id(1)] long? Before,
    [property: Id(2)] int Limit);

/// <summary>Messages as they now stand, oldest first; the seqs of edit and delete events are not among them.</summary>
[GenerateSerializer, Immutable, Alias("chat.history-page")]
public sealed record HistoryPage(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long LastSeq,
    [property: Id(2)] long FirstRetainedSeq,
    [property: Id(3)] IReadOnlyList<ChatMessage> Messages,
    [property: Id(4)] string? Epoch = null);

/// <summary>
/// Consecutive events of the room's log after a seq, oldest first, each naming its message as it now stands: what
/// replays and catch-ups write.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.event-page")]
public sealed record EventPage(
    [property: Id(0)] long LastSeq,
    [property: Id(1)] long FirstRetainedSeq,
    [property: Id(2)] string? Epoch,
    [property: Id(3)] IReadOnlyList<RoomEvent> Events);
