using Orleans.Streams;

namespace OrleansChat.Tests.Grains;

public sealed class RoomGrainTests(RoomClusterFixture fixture) : IClassFixture<RoomClusterFixture>
{
    private const int Max = RoomClusterFixture.MaxMessages;

    private static string NewRoom() => $"room-{Guid.NewGuid():N}";

    private IRoomGrain Room(string id) => fixture.Grains.GetGrain<IRoomGrain>(id);

    [Fact]
    public async Task Concurrent_posts_get_seqs_exactly_one_to_n_and_the_log_holds_them_in_order()
    {
        var id = NewRoom();
        var results = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => Room(id).Post(new PostMessage($"u{i % 7}", $"m{i}", null)))));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.Message.Seq).Order());
        Assert.All(results, r => Assert.True(r.Created));
        var stored = await fixture.Log.ReadRecentAsync(id, 1000);
        Assert.Equal(200, stored.LastSeq);
        Assert.Equal(Enumerable.Range(200 - Max + 1, Max).Select(i => (long)i), stored.Events.Select(e => e.Seq));
        Assert.Equal(200, (await Room(id).GetInfo()).LastSeq);
    }

    [Fact]
    public async Task A_retry_with_the_same_client_message_id_returns_the_original_and_stores_nothing()
    {
        var id = NewRoom();
        var first = await Room(id).Post(new PostMessage("ann", "hello", "c-1"));
        var retry = await Room(id).Post(new PostMessage("ann", "hello again?", "c-1"));
        var otherUser = await Room(id).Post(new PostMessage("bob", "same id, other user", "c-1"));

        Assert.True(first.Created);
        Assert.False(retry.Created);
        Assert.Equal(first.Message, retry.Message);
        Assert.True(otherUser.Created);
        Assert.Equal(2, otherUser.Message.Seq);
        Assert.Equal(2, (await Room(id).GetInfo()).LastSeq);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_post_store_it_once()
    {
        var id = NewRoom();
        var results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => Room(id).Post(new PostMessage("ann", "once", "c-dup")))));

        Assert.Single(results, r => r.Created);
        Assert.All(results, r => Assert.Equal(1, r.Message.Seq));
        Assert.Equal(1, (await Room(id).GetInfo()).LastSeq);
    }

    [Fact]
    public async Task Trimming_keeps_the_newest_max_messages_and_moves_first_retained_seq()
    {
        var id = NewRoom();
        for (var i = 1; i <= Max + 5; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", $"c{i}"));
        }

        var info = await Room(id).GetInfo();
        Assert.Equal(Max + 5, info.LastSeq);
        Assert.Equal(6, info.FirstRetainedSeq);
        var latest = await Room(id).GetHistory(new HistoryQuery(null, null, 500));
        Assert.Equal(Enumerable.Range(6, Max).Select(i => (long)i), latest.Messages.Select(m => m.Seq));
        Assert.Equal(Max, (await fixture.Log.ReadRecentAsync(id, 1000)).Events.Count);

        // Dedupe covers the retained window only: a trimmed message's id may be used again.
        Assert.True((await Room(id).Post(new PostMessage("ann", "again", "c1"))).Created);
        Assert.False((await Room(id).Post(new PostMessage("ann", "again", $"c{Max + 5}"))).Created);
    }

    [Fact]
    public async Task An_empty_room_reads_last_seq_0_and_first_retained_1()
    {
        var info = await Room(NewRoom()).GetInfo();
        Assert.Equal(0, info.LastSeq);
        Assert.Equal(1, info.FirstRetainedSeq);
        Assert.Empty((await Room(NewRoom()).GetHistory(new HistoryQuery(0, null, 50))).Messages);
    }

    [Theory]
    [InlineData(null, null, 5, 11, 15)]
    [InlineData(3L, null, 4, 4, 7)]
    [InlineData(null, 9L, 3, 6, 8)]
    [InlineData(2L, 6L, 50, 3, 5)]
    [InlineData(null, 3L, 50, 1, 2)]
    [InlineData(14L, null, 50, 15, 15)]
    public async Task History_pages_latest_after_and_before(long? after, long? before, int limit, long from, long to)
    {
        var id = NewRoom();
        for (var i = 1; i <= 15; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", null));
        }

        var page = await Room(id).GetHistory(new HistoryQuery(after, before, limit));

        Assert.Equal(15, page.LastSeq);
        Assert.Equal(1, page.FirstRetainedSeq);
        Assert.Equal(LongRange(from, to), page.Messages.Select(m => m.Seq));
        Assert.Equal(LongRange(from, to).Select(s => $"m{s}"), page.Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task A_page_after_a_seq_below_the_retained_history_holds_the_oldest_retained_messages()
    {
        var id = NewRoom();
        for (var i = 1; i <= Max + 10; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", null));
        }

        var page = await Room(id).GetHistory(new HistoryQuery(0, null, 5));
        var bounded = await Room(id).GetHistory(new HistoryQuery(2, 14, 50));

        Assert.Equal(11, page.FirstRetainedSeq);
        Assert.Equal(LongRange(11, 15), page.Messages.Select(m => m.Seq));
        Assert.Equal(LongRange(11, 13), bounded.Messages.Select(m => m.Seq));
    }

    [Theory]
    [InlineData(15L, null)]
    [InlineData(long.MaxValue, null)]
    [InlineData(null, 1L)]
    [InlineData(null, 0L)]
    [InlineData(long.MaxValue - 1, long.MaxValue)]
    public async Task History_outside_the_room_is_empty(long? after, long? before)
    {
        var id = NewRoom();
        for (var i = 1; i <= 15; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", null));
        }

        Assert.Empty((await Room(id).GetHistory(new HistoryQuery(after, before, 500))).Messages);
    }

    [Fact]
    public async Task Seq_and_dedupe_continue_after_the_grain_is_deactivated_and_reactivated()
    {
        var id = NewRoom();
        for (var i = 1; i <= 5; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", $"c{i}"));
        }

        await fixture.Cluster.DeactivateAsync(Room(id));
        var retry = await Room(id).Post(new PostMessage("ann", "m5", "c5"));
        var next = await Room(id).Post(new PostMessage("ann", "m6", "c6"));

        Assert.False(retry.Created);
        Assert.Equal(5, retry.Message.Seq);
        Assert.Equal(6, next.Message.Seq);
        var history = await Room(id).GetHistory(new HistoryQuery(null, null, 50));
        Assert.Equal(LongRange(1, 6), history.Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_second_writer_is_refused_by_the_log_and_the_room_continues_without_gap_or_reuse()
    {
        var id = NewRoom();
        await Room(id).Post(new PostMessage("ann", "m1", null));

        // What a stale duplicate activation would do: write seq 2 behind the active grain's back.
        var intruder = new ChatMessage(id, 2, "ghost", "written elsewhere", DateTimeOffset.UtcNow, null);
        var epoch = (await fixture.Log.ReadRecentAsync(id, 1)).Epoch!;
        await fixture.Log.AppendAsync(id, epoch, [RoomEvent.Posted(intruder)], Max);

        await Assert.ThrowsAsync<RoomUnavailableException>(() => Room(id).Post(new PostMessage("ann", "m2", "c2")));
        var after = await Room(id).Post(new PostMessage("ann", "m2", "c2"));

        Assert.Equal(3, after.Message.Seq);
        var stored = await fixture.Log.ReadRecentAsync(id, 1000);
        Assert.Equal(LongRange(1, 3), stored.Events.Select(e => e.Seq));
        Assert.Equal(["m1", "written elsewhere", "m2"], stored.Events.Select(e => e.Message.Text));
    }

    [Fact]
    public async Task Every_stored_batch_is_published_on_the_room_stream_in_seq_order()
    {
        var id = NewRoom();
        var received = new List<long>();
        var stream = fixture.Cluster.Client.GetStreamProvider(ChatStreams.ProviderName)
            .GetStream<RoomStreamEvent>(StreamId.Create(ChatStreams.RoomNamespace, id));
        var subscription = await stream.SubscribeAsync((item, _) =>
        {
            lock (received)
            {
                received.AddRange(((RoomEventBatch)item).Events.Select(e => e.Seq));
            }

            return Task.CompletedTask;
        });

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Room(id).Post(new PostMessage("ann", $"m{i}", null))));

        await Infrastructure.Eventually.TrueAsync(() => { lock (received) { return received.Count >= 50; } }, "50 messages were published");
        lock (received)
        {
            Assert.Equal(LongRange(1, 50), received);
        }

        await subscription.UnsubscribeAsync();
    }

    private static IEnumerable<long> LongRange(long from, long to) =>
        from > to ? [] : Enumerable.Range(0, (int)(to - from + 1)).Select(i => from + i);
}
