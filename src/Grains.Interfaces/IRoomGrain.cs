namespace OrleansChat;

/// <summary>One chat room: the only writer of its seq numbers and its log.</summary>
[Alias("chat.IRoomGrain")]
public interface IRoomGrain : IGrainWithStringKey
{
    [Alias("Post")]
    Task<PostResult> Post(PostMessage message);

    /// <summary>The author's new text, stored as the room's next event.</summary>
    [Alias("Edit")]
    Task<ChangeResult> Edit(EditMessage edit);

    /// <summary>Replaces the message by its tombstone, stored as the room's next event.</summary>
    [Alias("Delete")]
    Task<ChangeResult> Delete(DeleteMessage delete);

    [Alias("GetHistory")]
    Task<HistoryPage> GetHistory(HistoryQuery query);

    /// <summary>The oldest retained events with a seq above <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    [Alias("GetEvents")]
    Task<EventPage> GetEvents(long after, int limit);

    [Alias("GetInfo")]
    Task<RoomInfo> GetInfo();
}
