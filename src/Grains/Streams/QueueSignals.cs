using System.Collections.Concurrent;
using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>Per queue, what this silo is enqueuing on it, for the queue's receiver on this silo.</summary>
internal sealed class QueueSignals
{
    private readonly ConcurrentDictionary<QueueId, QueueSignal> _signals = new();

    public QueueSignal Of(QueueId queueId) => _signals.GetOrAdd(queueId, static _ => new QueueSignal());
}

/// <summary>
/// Whether a message of this silo's may be waiting in a queue: while an enqueue is under way (it may have landed
/// already; its caller hears so only later, when its turn resumes), and from its end until the receiver's next read.
/// </summary>
internal sealed class QueueSignal
{
    private int _enqueuing;
    private int _raised;

    /// <summary>An enqueue starts: every read reads until it has ended.</summary>
    public void Begin() => Interlocked.Increment(ref _enqueuing);

    /// <summary>
    /// An enqueue ended (or failed). The flag is raised before the count falls, so a read that starts after the count
    /// fell still finds the flag.
    /// </summary>
    public void End()
    {
        Volatile.Write(ref _raised, 1);
        Interlocked.Decrement(ref _enqueuing);
    }

    /// <summary>Whether a read may find something of this silo's: an enqueue is under way or ended since the last take.</summary>
    public bool Take() => Interlocked.Exchange(ref _raised, 0) == 1 | Volatile.Read(ref _enqueuing) > 0;
}
