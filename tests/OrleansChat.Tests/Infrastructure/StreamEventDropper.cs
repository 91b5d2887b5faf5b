using Orleans.Providers;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>
/// Loses stream events the way a crashed silo would: swallows the next enqueues of a room's stream into the
/// memory stream queue, while the publishing grain sees success.
/// </summary>
internal sealed class StreamEventDropper : IOutgoingGrainCallFilter
{
    private readonly Lock _lock = new();
    private StreamId? _stream;
    private int _toDrop;

    public int Dropped { get; private set; }

    public void DropNext(string roomId, int count = 1)
    {
        lock (_lock)
        {
            _stream = StreamId.Create(ChatStreams.RoomNamespace, roomId);
            _toDrop = count;
        }
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.Grain is IMemoryStreamQueueGrain
            && context.MethodName == nameof(IMemoryStreamQueueGrain.Enqueue)
            && context.Request.GetArgument(0) is MemoryMessageData data
            && TakeDrop(data.StreamId))
        {
            return;
        }

        await context.Invoke();
    }

    private bool TakeDrop(StreamId streamId)
    {
        lock (_lock)
        {
            if (_toDrop == 0 || !streamId.Equals(_stream))
            {
                return false;
            }

            _toDrop--;
            Dropped++;
            return true;
        }
    }
}
