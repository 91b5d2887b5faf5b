namespace OrleansChat;

/// <summary>
/// The room could not make a post durable (its log refused or failed the append). Nothing was acknowledged;
/// the caller may retry with the same clientMessageId.
/// </summary>
[GenerateSerializer, Alias("chat.room-unavailable")]
public sealed class RoomUnavailableException : Exception
{
    public RoomUnavailableException() { }

    public RoomUnavailableException(string message) : base(message) { }

    public RoomUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
