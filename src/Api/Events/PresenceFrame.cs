namespace OrleansChat.Api.Events;

/// <summary>
/// <c>event: presence</c>, <c>join</c>, <c>leave</c> or <c>typing</c>, one or several, without an id: who is in the
/// room is not a room event, has no seq, and a reader writes it whatever its position.
/// </summary>
internal sealed class PresenceFrame : SseFrame
{
    private PresenceFrame(byte[] bytes) : base(bytes)
    {
    }

    /// <summary>The whole presence, which replaces whatever list the reader had.</summary>
    public static PresenceFrame Snapshot(RoomPresence presence) =>
        new(Encode("event: presence\n", presence, PresenceJsonContext.Default.RoomPresence));

    /// <summary>The joins, then the leaves, of one change.</summary>
    public static PresenceFrame Changes(string roomId, IReadOnlyList<PresenceMember> joined, IReadOnlyList<PresenceUser> left)
    {
        var events = joined.Select(j => Encode("event: join\n", new PresenceEvent(roomId, j.UserId, j.UserName), PresenceJsonContext.Default.PresenceEvent))
            .Concat(left.Select(l => Encode("event: leave\n", new PresenceEvent(roomId, l.UserId, l.UserName), PresenceJsonContext.Default.PresenceEvent)));
        return new PresenceFrame([.. events.SelectMany(bytes => bytes)]);
    }

    public static PresenceFrame Typing(string roomId, PresenceUser user) =>
        new(Encode("event: typing\n", new PresenceEvent(roomId, user.UserId, user.UserName), PresenceJsonContext.Default.PresenceEvent));
}
