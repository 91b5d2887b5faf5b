namespace OrleansChat;

/// <summary>
/// A message as stored in a room: seq is assigned by the room grain and never changes. <see cref="UserName"/> is the
/// poster's display name, from their token's <c>name</c> claim.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.message")]
public sealed record ChatMessage(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string UserId,
    [property: Id(3)] string Text,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? ClientMessageId,
    [property: Id(6)] string? UserName = null);
