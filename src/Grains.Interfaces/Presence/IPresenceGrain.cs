namespace OrleansChat;

/// <summary>
/// Who is in a room (key = the roomId), for the whole cluster: per user the streams the API nodes hold open to the
/// room, as leases that count while their node keeps renewing. A user joins with their first stream anywhere and
/// leaves once their last one has been closed for the grace; changes go out on the room's presence stream
/// (<see cref="ChatStreams.PresenceNamespace"/>), coalesced, and never into the room's log.
/// </summary>
/// <remarks>Each node passes its <see cref="PresenceTerms"/>, so the grain needs no configuration of its own.</remarks>
[Alias("chat.IPresenceGrain")]
public interface IPresenceGrain : IGrainWithStringKey
{
    /// <summary>What node <paramref name="nodeId"/> opened and closed since its last report; renews its lease.</summary>
    [Alias("Report")]
    Task Report(string nodeId, PresenceDelta delta, PresenceTerms terms);

    /// <summary>
    /// Every stream node <paramref name="nodeId"/> holds open to the room: replaces what the grain held for the node
    /// (which repairs a lost report or a grain that lost its state) and renews its lease.
    /// </summary>
    [Alias("Renew")]
    Task Renew(string nodeId, NodePresence streams, PresenceTerms terms);

    /// <summary>The room's presence now, with the version of the last change published.</summary>
    [Alias("GetPresence")]
    Task<PresenceView> GetPresence();

    /// <summary>A user is typing: published unless the same user's last typing event is under 2 s old.</summary>
    [Alias("Typing")]
    Task Typing(PresenceUser user);
}
