namespace OrleansChat;

/// <summary>A validated request to append a message to a room.</summary>
[GenerateSerializer, Immutable, Alias("chat.post")]
public sealed record PostMessage(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Text,
    [property: Id(2)] string? ClientMessageId,
    [property: Id(3)] string? UserName = null);

/// <summary>
/// The stored message; <see cref="Created"/> is false when an idempotent retry matched an earlier post. <see cref="Epoch"/>
/// is the log that holds it, so that a client that saw the message only in this answer knows which log it is of.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.post-result")]
public sealed record PostResult(
    [property: Id(0)] ChatMessage Message,
    [property: Id(1)] bool Created,
    [property: Id(2)] string? Epoch = null);
