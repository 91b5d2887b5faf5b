namespace OrleansChat;

/// <summary>An event a room has queued for its log, and its callers' wait until the log holds it.</summary>
internal sealed class PendingEvent(RoomEvent roomEvent)
{
    public RoomEvent Event { get; } = roomEvent;

    public TaskCompletionSource<RoomEvent> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
