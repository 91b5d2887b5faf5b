namespace OrleansChat;

/// <summary>Names shared by the silos (publishers) and the API nodes (subscribers).</summary>
public static class ChatStreams
{
    public const string ProviderName = "Chat";

    /// <summary>Each room's stream is (<see cref="RoomNamespace"/>, roomId).</summary>
    public const string RoomNamespace = "room";

    /// <summary>Each room's presence stream is (<see cref="PresenceNamespace"/>, roomId), beside its room stream.</summary>
    public const string PresenceNamespace = "presence";

    public const string PubSubStore = "PubSubStore";
}
