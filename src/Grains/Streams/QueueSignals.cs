using System.Collections.Concurrent;
using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>Per queue, whether this silo enqueued something since the queue's receiver last read.</summary>
internal sealed class QueueSignals
{
    private readonly ConcurrentDictionary<QueueId, QueueSignal> _signals = new();

    public QueueSignal Of(QueueId queueId) => _signals.GetOrAdd(queueId, static _ => new QueueSignal());
}

internal sealed class QueueSignal
{
    private int _raised;

    public void Raise() => Volatile.Write(ref _raised, 1);

    /// <summary>Whether it was raised, clearing it.</summary>
    public bool Take() => Interlocked.Exchange(ref _raised, 0) == 1;
}
