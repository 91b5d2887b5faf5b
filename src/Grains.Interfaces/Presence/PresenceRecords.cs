namespace OrleansChat;

/// <summary>A node's lease period and the reconnect grace, as the node is configured.</summary>
[GenerateSerializer, Immutable, Alias("chat.presence-terms")]
public sealed record PresenceTerms(
    [property: Id(0)] TimeSpan Lease,
    [property: Id(1)] TimeSpan Grace);

/// <summary>A user as a presence list shows them: the token's <c>sub</c> and <c>name</c>.</summary>
[GenerateSerializer, Immutable, Alias("chat.presence-user")]
public sealed record PresenceUser(
    [property: Id(0)] string UserId,
    [property: Id(1)] string? UserName);

/// <summary>One user's streams on one node.</summary>
[GenerateSerializer, Immutable, Alias("chat.user-presence-streams")]
public sealed record UserPresenceStreams(
    [property: Id(0)] PresenceUser User,
    [property: Id(1)] IReadOnlyList<long> StreamIds);

/// <summary>
/// A node's changes since its last report: streams opened and closed (a stream opened and closed in between is in
/// neither), and the change in its anonymous streams.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.presence-delta")]
public sealed record PresenceDelta(
    [property: Id(0)] IReadOnlyList<UserPresenceStreams> Opened,
    [property: Id(1)] IReadOnlyList<UserPresenceStreams> Closed,
    [property: Id(2)] int AnonymousChange);

/// <summary>Every stream one node holds open to a room.</summary>
[GenerateSerializer, Immutable, Alias("chat.node-presence")]
public sealed record NodePresence(
    [property: Id(0)] IReadOnlyList<UserPresenceStreams> Users,
    [property: Id(1)] int Anonymous);

/// <summary>A member of a room: present since their first stream (reconnects within the grace keep it).</summary>
[GenerateSerializer, Immutable, Alias("chat.presence-member")]
public sealed record PresenceMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string? UserName,
    [property: Id(2)] DateTimeOffset Since);

/// <summary>
/// The body of <c>GET /rooms/{roomId}/presence</c>: <see cref="Count"/> members (exact), the first
/// <see cref="RoomPresence.MaxMembers"/> of them listed, and the streams without an identity.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.room-presence")]
public sealed record RoomPresence(
    [property: Id(0)] string RoomId,
    [property: Id(1)] int Count,
    [property: Id(2)] int Anonymous,
    [property: Id(3)] IReadOnlyList<PresenceMember> Members)
{
    public const int MaxMembers = 1000;
}

/// <summary>
/// A room's presence and the <see cref="Version"/> of the last change published before it: the next change
/// published is <c>Version + 1</c>, so a reader that sees another number knows it missed one.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.presence-view")]
public sealed record PresenceView(
    [property: Id(0)] RoomPresence Presence,
    [property: Id(1)] long Version);

/// <summary>What a room's presence stream carries. Closed: every kind is declared here.</summary>
[GenerateSerializer, Immutable, Alias("chat.presence-stream-event")]
public abstract record PresenceStreamEvent
{
    private protected PresenceStreamEvent()
    {
    }
}

/// <summary>
/// The joins and leaves of one interval, with the room's exact counts after them. <see cref="Version"/> counts the
/// changes the grain's activation published; a new activation starts elsewhere.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.presence-changes")]
public sealed record PresenceChanges(
    [property: Id(0)] long Version,
    [property: Id(1)] IReadOnlyList<PresenceMember> Joined,
    [property: Id(2)] IReadOnlyList<PresenceUser> Left,
    [property: Id(3)] int Count,
    [property: Id(4)] int Anonymous) : PresenceStreamEvent;

/// <summary>A user is typing; not a change of presence, so it has no version.</summary>
[GenerateSerializer, Immutable, Alias("chat.presence-typing")]
public sealed record UserTyping(
    [property: Id(0)] PresenceUser User) : PresenceStreamEvent;
