namespace OrleansChat.Api.Auth;

/// <summary>What a request does to a room; each right is granted by the token claim of the same name.</summary>
public enum RoomRight
{
    /// <summary><c>chat_read</c>: history, room info, events.</summary>
    Read,

    /// <summary><c>chat_write</c>: posting, and editing and deleting one's own messages.</summary>
    Write,

    /// <summary><c>chat_moderate</c>: acting on other users' messages.</summary>
    Moderate,
}

internal static class RoomRights
{
    public static string ClaimType(this RoomRight right) => right switch
    {
        RoomRight.Read => "chat_read",
        RoomRight.Write => "chat_write",
        RoomRight.Moderate => "chat_moderate",
        _ => throw new ArgumentOutOfRangeException(nameof(right), right, null),
    };

    /// <summary>
    /// The policy of deleting a message: the author needs <c>chat_write</c>, anyone else <c>chat_moderate</c>, which
    /// the endpoint tells apart once it knows the message.
    /// </summary>
    public const string WriteOrModeratePolicy = "room:chat_write|chat_moderate";

    /// <summary>The authorization policy an endpoint names to require the right on its route's room.</summary>
    public static string PolicyName(this RoomRight right) => $"room:{right.ClaimType()}";
}
