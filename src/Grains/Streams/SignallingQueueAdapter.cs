using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>Enqueues as the memory adapter does, then tells this silo's receiver of that queue that it is no longer idle.</summary>
internal sealed class SignallingQueueAdapter(IQueueAdapter memory, IStreamQueueMapper queues, QueueSignals signals, Func<bool> aloneInCluster) : IQueueAdapter
{
    public string Name => memory.Name;

    public bool IsRewindable => memory.IsRewindable;

    public StreamProviderDirection Direction => memory.Direction;

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        await memory.QueueMessageBatchAsync(streamId, events, token, requestContext);
        // After the enqueue: a read that starts later finds it, and one already running leaves the signal for the next.
        signals.Of(queues.GetQueueForStream(streamId)).Raise();
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new IdleSkippingReceiver(memory.CreateReceiver(queueId), signals.Of(queueId), aloneInCluster, TimeProvider.System);
}
