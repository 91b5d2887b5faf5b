namespace OrleansChat;

/// <summary>What an event of a room's log did to the message it names.</summary>
public enum RoomEventKind
{
    /// <summary>A new message (SSE <c>event: chat</c>).</summary>
    Message,

    /// <summary>A new text for an earlier message (SSE <c>event: edit</c>).</summary>
    Edit,

    /// <summary>An earlier message deleted (SSE <c>event: delete</c>).</summary>
    Delete,
}

/// <summary>
/// One event of a room's log: its own <see cref="Seq"/>, when it happened, and the message it names as that message
/// now stands (for a message event, <c>Message.Seq == Seq</c>; for an edit or a deletion, the earlier message's seq).
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.room-event")]
public sealed record RoomEvent(
    [property: Id(0)] long Seq,
    [property: Id(1)] RoomEventKind Kind,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] ChatMessage Message)
{
    public static RoomEvent Posted(ChatMessage message) => new(message.Seq, RoomEventKind.Message, message.CreatedAt, message);
}
