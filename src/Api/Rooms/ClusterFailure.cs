namespace OrleansChat.Api.Rooms;

/// <summary>Which failures of a grain call mean "the cluster or the room's store cannot serve now" (a 503, not a 500).</summary>
internal static class ClusterFailure
{
    public static bool Is(Exception exception) =>
        exception is OrleansException or TimeoutException or RoomUnavailableException;
}
