using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>Enqueues as the memory adapter does, telling this silo's receiver of that queue while and after it does.</summary>
internal sealed class SignallingQueueAdapter(IQueueAdapter memory, IStreamQueueMapper queues, QueueSignals signals, Func<bool> aloneInCluster) : IQueueAdapter
{
    public string Name => memory.Name;

    public bool IsRewindable => memory.IsRewindable;

    public StreamProviderDirection Direction => memory.Direction;

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        // Signalled from before the call: the message lands in the queue's grain before this turn hears so, and a busy
        // grain resumes late; meanwhile the receiver polls as Orleans does.
        var signal = signals.Of(queues.GetQueueForStream(streamId));
        signal.Begin();
        try
        {
            await memory.QueueMessageBatchAsync(streamId, events, token, requestContext);
        }
        finally
        {
            signal.End();
        }
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new IdleSkippingReceiver(memory.CreateReceiver(queueId), signals.Of(queueId), aloneInCluster, TimeProvider.System);
}
