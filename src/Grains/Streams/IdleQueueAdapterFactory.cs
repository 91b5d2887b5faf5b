using Orleans.Streams;

namespace OrleansChat.Streams;

/// <summary>
/// Memory stream queues whose pulling agents stop calling a queue's grain while it is idle. Orleans reads each queue
/// every <c>GetQueueMsgsTimerPeriod</c> (10 ms here, for latency) with a grain call, queued or not: 8 queues make
/// ≈ 800 calls/s on a silo with nothing to deliver. Here a queue that was empty at its last read is read again only
/// while this silo enqueues on it or once it has since, or after <see cref="IdleReadPeriod"/>. That knowledge is
/// complete only while this silo is the cluster's only one (the grains publish; API nodes only subscribe); with more
/// silos every poll reads, as Orleans does.
/// </summary>
internal sealed class IdleQueueAdapterFactory(IQueueAdapterFactory memory, IClusterMembershipService membership) : IQueueAdapterFactory
{
    /// <summary>An idle queue is read at least this often, whatever this silo knows.</summary>
    public static readonly TimeSpan IdleReadPeriod = TimeSpan.FromSeconds(1);

    private readonly QueueSignals _signals = new();

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public async Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) =>
        new SignallingQueueAdapter(await memory.CreateAdapter(cancellationToken), memory.GetStreamQueueMapper(), _signals, AloneInCluster);

    public IQueueAdapterCache GetQueueAdapterCache() => memory.GetQueueAdapterCache();

    public IStreamQueueMapper GetStreamQueueMapper() => memory.GetStreamQueueMapper();

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) => memory.GetDeliveryFailureHandler(queueId);

    private bool AloneInCluster()
    {
        var active = 0;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && ++active > 1)
            {
                return false;
            }
        }

        return true;
    }
}
