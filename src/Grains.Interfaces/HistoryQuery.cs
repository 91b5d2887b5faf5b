namespace OrleansChat;

/// <summary>
/// A page of history: with <see cref="After"/>, the oldest messages above it; with <see cref="Before"/>, the newest
/// below it; with neither, the latest. Both may be combined to read a bounded range.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.history-query")]
public sealed record HistoryQuery(
    [property: Id(0)] long? After,
    [property: Id(1)] long? Before,
    [property: Id(2)] int Limit);

[GenerateSerializer, Immutable, Alias("chat.history-page")]
public sealed record HistoryPage(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long LastSeq,
    [property: Id(2)] long FirstRetainedSeq,
    [property: Id(3)] IReadOnlyList<ChatMessage> Messages);
