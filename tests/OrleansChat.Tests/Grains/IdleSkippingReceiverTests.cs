using Microsoft.Extensions.Time.Testing;
using Orleans.Streams;
using OrleansChat.Streams;

namespace OrleansChat.Tests.Grains;

/// <summary>A pulling agent's poll of an idle queue costs no grain call while the silo knows nothing was enqueued.</summary>
public sealed class IdleSkippingReceiverTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly QueueSignal _enqueued = new();
    private readonly CountingReceiver _queue = new();
    private bool _alone = true;

    private IdleSkippingReceiver NewReceiver() => new(_queue, _enqueued, () => _alone, _clock);

    [Fact]
    public async Task An_empty_queue_is_read_again_only_after_this_silo_enqueued_on_it_or_the_idle_period()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        Assert.Equal(1, _queue.Reads);
        await PollAsync(receiver, 50);
        Assert.Equal(1, _queue.Reads);

        _enqueued.Raise();
        _queue.Next = 3;
        Assert.Equal(3, (await PollAsync(receiver, 1)).Count);
        // A read that found something reads again: the queue may hold more.
        await PollAsync(receiver, 1);
        Assert.Equal(3, _queue.Reads);
        await PollAsync(receiver, 50);
        Assert.Equal(3, _queue.Reads);

        _clock.Advance(IdleQueueAdapterFactory.IdleReadPeriod);
        await PollAsync(receiver, 1);
        Assert.Equal(4, _queue.Reads);
    }

    [Fact]
    public async Task With_another_silo_in_the_cluster_every_poll_reads()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        _alone = false;

        await PollAsync(receiver, 10);

        Assert.Equal(11, _queue.Reads);
    }

    [Fact]
    public async Task A_failed_read_is_retried_at_the_next_poll()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        _enqueued.Raise();
        _queue.Fail = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.GetQueueMessagesAsync(10, CancellationToken.None));

        _queue.Fail = false;
        await PollAsync(receiver, 1);

        Assert.Equal(3, _queue.Reads);
    }

    private static async Task<IList<IBatchContainer>> PollAsync(IdleSkippingReceiver receiver, int times)
    {
        IList<IBatchContainer> last = [];
        for (var i = 0; i < times; i++)
        {
            last = await receiver.GetQueueMessagesAsync(10, CancellationToken.None);
        }

        return last;
    }

    /// <summary>Stands in for the memory queue's grain: counts reads and hands out what it is told to.</summary>
    private sealed class CountingReceiver : IQueueAdapterReceiver
    {
        public int Reads { get; private set; }

        public int Next { get; set; }

        public bool Fail { get; set; }

        public Task Initialize(TimeSpan timeout) => Task.CompletedTask;

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

        public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
        {
            Reads++;
            if (Fail)
            {
                throw new InvalidOperationException("the queue's grain did not answer");
            }

            IList<IBatchContainer> batches = [.. Enumerable.Range(0, Next).Select(_ => (IBatchContainer)null!)];
            Next = 0;
            return Task.FromResult(batches);
        }

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

        public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;
    }
}
