namespace OrleansChat;

/// <summary>One chat room: the only writer of its seq numbers and its log.</summary>
[Alias("chat.IRoomGrain")]
public interface IRoomGrain : IGrainWithStringKey
{
    [Alias("Post")]
    Task<PostResult> Post(PostMessage message);

    [Alias("GetHistory")]
    Task<HistoryPage> GetHistory(HistoryQuery query);

    [Alias("GetInfo")]
    Task<RoomInfo> GetInfo();
}
