using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>
/// Reads a memory queue as its receiver does, except that a queue found empty is not read again (no grain call) until
/// this silo enqueued on it, or <see cref="IdleQueueAdapterFactory.IdleReadPeriod"/> passed, or another silo joined.
/// </summary>
internal sealed class IdleSkippingReceiver(IQueueAdapterReceiver memory, QueueSignal enqueued, Func<bool> aloneInCluster, TimeProvider time) : IQueueAdapterReceiver
{
    private bool _idle;
    private long _readAt;

    public Task Initialize(TimeSpan timeout) => memory.Initialize(timeout);

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var signalled = enqueued.Take();
        if (_idle && !signalled && time.GetElapsedTime(_readAt) < IdleQueueAdapterFactory.IdleReadPeriod && aloneInCluster())
        {
            return Array.Empty<IBatchContainer>();
        }

        _readAt = time.GetTimestamp();
        try
        {
            var messages = await memory.GetQueueMessagesAsync(maxCount, cancellationToken);
            _idle = messages is not { Count: > 0 };
            return messages;
        }
        catch
        {
            // The signal was taken: the next poll must read.
            _idle = false;
            throw;
        }
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken) =>
        memory.MessagesDeliveredAsync(messages, cancellationToken);

    public Task Shutdown(TimeSpan timeout) => memory.Shutdown(timeout);
}
