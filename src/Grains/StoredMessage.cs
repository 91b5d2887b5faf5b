using System.Text.Json.Serialization;

namespace OrleansChat;

/// <summary>
/// A message as the Redis log keeps it, once per message: compact JSON with times in Unix milliseconds. The room and
/// the seq are the key it is stored under.
/// </summary>
internal sealed record StoredMessage(
    [property: JsonPropertyName("u")] string UserId,
    [property: JsonPropertyName("n")] string? UserName,
    [property: JsonPropertyName("t")] string? Text,
    [property: JsonPropertyName("at")] long CreatedAt,
    [property: JsonPropertyName("k")] string? ClientMessageId,
    [property: JsonPropertyName("ea")] long? EditedAt,
    [property: JsonPropertyName("da")] long? DeletedAt,
    [property: JsonPropertyName("db")] string? DeletedBy)
{
    public static StoredMessage Of(ChatMessage message) => new(
        message.UserId,
        message.UserName,
        message.Text,
        message.CreatedAt.ToUnixTimeMilliseconds(),
        message.ClientMessageId,
        message.EditedAt?.ToUnixTimeMilliseconds(),
        message.DeletedAt?.ToUnixTimeMilliseconds(),
        message.DeletedBy);

    public ChatMessage ToMessage(string roomId, long seq) => new(
        roomId,
        seq,
        UserId,
        Text,
        DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt),
        ClientMessageId,
        UserName,
        EditedAt is { } editedAt ? DateTimeOffset.FromUnixTimeMilliseconds(editedAt) : null,
        DeletedAt is { } deletedAt ? DateTimeOffset.FromUnixTimeMilliseconds(deletedAt) : null,
        DeletedBy);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredMessage))]
internal sealed partial class RoomLogJsonContext : JsonSerializerContext;
