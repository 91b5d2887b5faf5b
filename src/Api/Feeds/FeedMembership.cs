using OrleansChat.Api.Events;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Feeds;

/// <summary>A connection's place in its room's feed on this node; disposing it leaves the feed.</summary>
internal sealed class FeedMembership(RoomFeeds feeds, RoomFeed feed, SseConnection connection, long joinedAtSeq, string? joinedAtEpoch) : IAsyncDisposable
{
    /// <summary>The connection receives every event after this seq (of <see cref="JoinedAtEpoch"/>) from the feed.</summary>
    public long JoinedAtSeq { get; } = joinedAtSeq;

    /// <summary>The room's epoch as the feed knew it when the connection joined; null while the room's log was empty.</summary>
    public string? JoinedAtEpoch { get; } = joinedAtEpoch;

    /// <summary>The room's history for a replay, shared with the node's other replays and its encoded frames.</summary>
    public IRoomPages Pages => feed.ReplayPages;

    public async ValueTask DisposeAsync()
    {
        feed.Detach(connection);
        await feeds.ReleaseAsync(feed);
    }
}
