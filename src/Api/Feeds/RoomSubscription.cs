using Orleans.Streams;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// A node's subscription to one room's stream, and the watchdog that tells when it has gone silent for good.
/// </summary>
/// <remarks>
/// Memory streams deliver at most once: a silo crash, lost pub-sub state or an idle stream dropped by Orleans can end a
/// subscription without a word. The room's lastSeq is the only witness, so the feed reports what it delivered at each
/// check and the watchdog compares.
/// </remarks>
internal sealed partial class RoomSubscription(IAsyncStream<RoomStreamEvent> stream, Func<RoomStreamEvent, Task> onNext, ILogger logger)
{
    private StreamSubscriptionHandle<RoomStreamEvent>? _handle;
    private long _roomSeqAtLastCheck;
    private long _deliveredAtLastCheck;

    public async Task SubscribeAsync()
    {
        var old = _handle;
        _handle = await stream.SubscribeAsync((item, _) => onNext(item));
        if (old is not null)
        {
            await UnsubscribeAsync(old);
        }
    }

    public Task StopAsync() => _handle is { } handle ? UnsubscribeAsync(handle) : Task.CompletedTask;

    /// <summary>
    /// True when a seq the room already had at the previous check is still not delivered and nothing at all was
    /// delivered since: the subscription is lost. A stream that lags but still delivers is alive; resubscribing it
    /// would only add work to a node that is already behind.
    /// </summary>
    public bool IsLost(long delivered) => _roomSeqAtLastCheck > delivered && delivered == _deliveredAtLastCheck;

    /// <summary>True when the room was ahead of the feed at the last check and still is: the next check must look again.</summary>
    public bool IsBehind(long delivered) => _roomSeqAtLastCheck > delivered;

    /// <summary>Remembers where the room and the feed stood at this check, for the next one.</summary>
    public void Checked(long roomSeq, long delivered)
    {
        _roomSeqAtLastCheck = roomSeq;
        _deliveredAtLastCheck = delivered;
    }

    private async Task UnsubscribeAsync(StreamSubscriptionHandle<RoomStreamEvent> handle)
    {
        try
        {
            await handle.UnsubscribeAsync();
        }
        catch (Exception exception)
        {
            LogUnsubscribeFailed(logger, exception, stream.StreamId.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stream {StreamId}: unsubscribing failed.")]
    private static partial void LogUnsubscribeFailed(ILogger logger, Exception exception, string streamId);
}
