namespace OrleansChat;

/// <summary>
/// A message of a room as it now stands: seq is assigned by the room grain and never changes. <see cref="UserName"/>
/// is the poster's display name, from their token's <c>name</c> claim. An edited message has <see cref="EditedAt"/>;
/// a deleted one is a tombstone, with no <see cref="Text"/> and no <see cref="UserName"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.message")]
public sealed record ChatMessage(
    [property: Id(0)] string RoomId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string UserId,
    [property: Id(3)] string? Text,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string? ClientMessageId,
    [property: Id(6)] string? UserName = null,
    [property: Id(7)] DateTimeOffset? EditedAt = null,
    [property: Id(8)] DateTimeOffset? DeletedAt = null,
    [property: Id(9)] string? DeletedBy = null)
{
    /// <summary><c>true</c> on a tombstone, absent (null) otherwise, as the contract's JSON has it.</summary>
    public bool? Deleted => DeletedAt is null ? null : true;

    /// <summary>The message with <paramref name="text"/> as its only text.</summary>
    public ChatMessage EditedTo(string text, DateTimeOffset at) => this with { Text = text, EditedAt = at };

    /// <summary>
    /// The tombstone: who wrote it and when stay, the text and the display name go. The clientMessageId stays too, so
    /// a late retry of the original post answers with the tombstone rather than posting the text again.
    /// </summary>
    public ChatMessage Tombstone(string actorId, DateTimeOffset at) =>
        this with { Text = null, UserName = null, EditedAt = null, DeletedAt = at, DeletedBy = actorId };
}
