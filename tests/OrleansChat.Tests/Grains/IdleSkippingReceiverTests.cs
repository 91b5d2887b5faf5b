using Microsoft.Extensions.Time.Testing;
using Orleans.Streams;
using OrleansChat.Streams;

namespace OrleansChat.Tests.Grains;

/// <summary>A pulling agent's poll of an idle queue costs no grain call while the silo knows nothing was enqueued.</summary>
public sealed class IdleSkippingReceiverTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly QueueSignal _enqueue = new();
    private readonly CountingReceiver _queue = new();
    private bool _alone = true;

    private IdleSkippingReceiver NewReceiver() => new(_queue, _enqueue, () => _alone, _clock);

    [Fact]
    public async Task An_empty_queue_is_read_again_only_after_this_silo_enqueued_on_it_or_the_idle_period()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        Assert.Equal(1, _queue.Reads);
        await PollAsync(receiver, 50);
        Assert.Equal(1, _queue.Reads);

        _enqueue.Begin();
        _queue.Queued = 3;
        _enqueue.End();
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
    public async Task While_an_enqueue_is_under_way_every_poll_reads_so_a_message_is_found_as_soon_as_it_lands()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        _enqueue.Begin();
        await PollAsync(receiver, 5);
        Assert.Equal(6, _queue.Reads);

        // It lands; the enqueuer has not heard yet (its turn resumes late), and the next poll still finds it.
        _queue.Queued = 1;
        Assert.Single(await PollAsync(receiver, 1));
    }

    [Fact]
    public async Task A_read_that_overlaps_the_landing_and_finds_nothing_leaves_the_next_poll_to_read()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        _enqueue.Begin();
        // The read reaches the queue's grain just before the message does, and the enqueue ends before the read returns.
        _queue.OnRead = () =>
        {
            _queue.OnRead = null;
            _queue.Queued = 1;
            _enqueue.End();
        };
        Assert.Empty(await PollAsync(receiver, 1));

        Assert.Single(await PollAsync(receiver, 1));
    }

    [Fact]
    public async Task A_read_that_asked_for_nothing_does_not_make_the_queue_idle()
    {
        var receiver = NewReceiver();
        await PollAsync(receiver, 1);
        _enqueue.Begin();
        _queue.Queued = 2;
        _enqueue.End();
        Assert.Empty(await receiver.GetQueueMessagesAsync(0, CancellationToken.None));

        Assert.Equal(2, (await PollAsync(receiver, 1)).Count);
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
        _enqueue.Begin();
        _enqueue.End();
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

    /// <summary>Stands in for the memory queue's grain: counts reads and hands out what is queued, up to the count asked.</summary>
    private sealed class CountingReceiver : IQueueAdapterReceiver
    {
        public int Reads { get; private set; }

        public int Queued { get; set; }

        public bool Fail { get; set; }

        /// <summary>Runs after a read has taken what was queued, as an enqueue landing just behind it would.</summary>
        public Action? OnRead { get; set; }

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

            var taken = Math.Min(Queued, maxCount);
            Queued -= taken;
            IList<IBatchContainer> batches = [.. Enumerable.Range(0, taken).Select(_ => (IBatchContainer)null!)];
            OnRead?.Invoke();
            return Task.FromResult(batches);
        }

        [Obsolete("Use the overload which accepts a CancellationToken.")]
        public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

        public Task Shutdown(TimeSpan timeout) => Task.CompletedTask;
    }
}
