namespace OrleansChat;

/// <summary>
/// What a room publishes on its stream: consecutive messages stored by one append, in seq order.
/// One stream event per append keeps a hot room's stream traffic proportional to appends, not messages.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.message-batch")]
public sealed record MessageBatch(
    [property: Id(0)] IReadOnlyList<ChatMessage> Messages);
