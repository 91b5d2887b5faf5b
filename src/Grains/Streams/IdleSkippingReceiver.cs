using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>
/// Reads a memory queue as its receiver does, except that a queue found empty is not read again (no grain call) until
/// this silo enqueues on it, or <see cref="IdleQueueAdapterFactory.IdleReadPeriod"/> passed, or another silo joined.
/// </summary>
/// <remarks>
/// No message can wait for the idle period: one this silo enqueues has landed, if at all, between its enqueue's
/// <see cref="QueueSignal.Begin"/> and <see cref="QueueSignal.End"/>, and every read that starts in between or before
/// the next read after the end reads. A read that overlapped the landing and found nothing leaves the signal for the
/// next one.
/// </remarks>
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
            // A read that asked for nothing (the agent's cache is full) says nothing about the queue.
            _idle = maxCount != 0 && messages is not { Count: > 0 };
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
