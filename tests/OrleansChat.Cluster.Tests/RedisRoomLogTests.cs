using OrleansChat.Cluster.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansChat.Cluster.Tests;

/// <summary>The Redis room log against a real redis-server: the conditional append is what keeps seqs gapless.</summary>
public sealed class RedisRoomLogTests(RedisServer redis) : RedisRoomLogTest(redis, "test/room/"), IClassFixture<RedisServer>
{

    [Fact]
    public async Task Messages_round_trip_with_every_field()
    {
        var createdAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero);
        RoomEvent[] events =
        [
            RoomEvent.Posted(new(Room, 1, "ann", "hello", createdAt, "c-1", "Ann")),
            RoomEvent.Posted(new(Room, 2, "bob", "ünïcødé ✓ \"quoted\"\nnext line", createdAt.AddSeconds(1), null)),
        ];

        await Log.AppendAsync(Room, Epoch, events, 100);
        var snapshot = await Log.ReadRecentAsync(Room, 100);

        Assert.Equal(2, snapshot.LastSeq);
        Assert.Equal(Epoch, snapshot.Epoch);
        Assert.Equal(events, snapshot.Events);
    }

    [Fact]
    public async Task An_empty_room_reads_as_seq_zero()
    {
        var snapshot = await Log.ReadRecentAsync(Room, 10);

        Assert.Equal(0, snapshot.LastSeq);
        Assert.Null(snapshot.Epoch);
        Assert.Empty(snapshot.Events);
    }

    [Fact]
    public async Task An_append_that_does_not_follow_the_last_seq_is_refused_and_stores_nothing()
    {
        await Log.AppendAsync(Room, Epoch, Messages(1, 3, "first"), 100);
        // A second activation of the room, e.g. one that lost its silo's membership race, with a stale view.
        await using var stale = NewLog();

        var reused = await Assert.ThrowsAsync<RoomLogConflictException>(() => stale.AppendAsync(Room, Epoch, Messages(3, 4, "stale"), 100));
        var gap = await Assert.ThrowsAsync<RoomLogConflictException>(() => stale.AppendAsync(Room, Epoch, Messages(5, 5, "gap"), 100));

        Assert.Equal(3, reused.ActualLastSeq);
        Assert.Equal(3, gap.ActualLastSeq);
        var snapshot = await Log.ReadRecentAsync(Room, 100);
        Assert.Equal(3, snapshot.LastSeq);
        Assert.All(snapshot.Events.Select(e => e.Message), m => Assert.Equal("first", m.UserId));
    }

    [Fact]
    public async Task Racing_writers_never_store_two_messages_under_one_seq_nor_leave_a_gap()
    {
        const int perWriter = 150;
        await using var other = NewLog();

        await Task.WhenAll(WriteAsync(Log, "w1"), WriteAsync(other, "w2"));

        var snapshot = await Log.ReadRecentAsync(Room, 10_000);
        Assert.Equal(2 * perWriter, snapshot.LastSeq);
        Assert.Equal(Enumerable.Range(1, 2 * perWriter).Select(i => (long)i), snapshot.Events.Select(e => e.Message).Select(m => m.Seq));
        Assert.Equal(perWriter, snapshot.Events.Select(e => e.Message).Count(m => m.UserId == "w1"));
        Assert.Equal(perWriter, snapshot.Events.Select(e => e.Message).Count(m => m.UserId == "w2"));

        async Task WriteAsync(RedisRoomLog log, string writer)
        {
            var written = 0;
            var last = 0L;
            while (written < perWriter)
            {
                try
                {
                    await log.AppendAsync(Room, Epoch, Messages(last + 1, last + 1, writer), 10_000);
                    written++;
                    last++;
                }
                catch (RoomLogConflictException conflict)
                {
                    last = conflict.ActualLastSeq;
                }
            }
        }
    }

    [Fact]
    public async Task Trimming_keeps_the_newest_messages_in_the_store_and_the_last_seq_beyond_them()
    {
        for (var from = 1; from <= 12; from += 3)
        {
            await Log.AppendAsync(Room, Epoch, Messages(from, from + 2, "ann"), 5);
        }

        var snapshot = await Log.ReadRecentAsync(Room, 100);
        Assert.Equal(12, snapshot.LastSeq);
        Assert.Equal([8L, 9, 10, 11, 12], snapshot.Events.Select(e => e.Message).Select(m => m.Seq));
        Assert.Equal(5, await Redis.Connection.GetDatabase().StreamLengthAsync(Log.Keys(Room)[0]));

        await Assert.ThrowsAsync<RoomLogConflictException>(() => Log.AppendAsync(Room, Epoch, Messages(12, 12, "ann"), 5));
        await Log.AppendAsync(Room, Epoch, Messages(13, 13, "ann"), 5);
        Assert.Equal(13, (await Log.ReadRecentAsync(Room, 2)).LastSeq);
    }

    [Fact]
    public async Task A_batch_whose_seqs_do_not_run_on_is_rejected_before_anything_is_stored()
    {
        RoomEvent[] broken = [.. Messages(1, 2, "ann"), .. Messages(4, 4, "ann")];

        await Assert.ThrowsAsync<ArgumentException>(() => Log.AppendAsync(Room, Epoch, broken, 100));

        Assert.Equal(0, (await Log.ReadRecentAsync(Room, 100)).LastSeq);
    }

    private RoomEvent[] Messages(long from, long to, string userId) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(seq => RoomEvent.Posted(
            new ChatMessage(Room, seq, userId, $"message {seq}", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + seq), $"{userId}-{seq}")))];
}
