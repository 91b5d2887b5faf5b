using OrleansChat.Cluster.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansChat.Cluster.Tests;

/// <summary>The Redis room log against a real redis-server: the conditional append is what keeps seqs gapless.</summary>
public sealed class RedisRoomLogTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Prefix = "test/room/";
    private readonly string _room = $"r-{Guid.NewGuid():N}";
    private RedisRoomLog _log = null!;

    public Task InitializeAsync()
    {
        _log = new RedisRoomLog(redis.Configuration.Clone(), Prefix);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _log.DisposeAsync();

    [Fact]
    public async Task Messages_round_trip_with_every_field()
    {
        var createdAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, 123, TimeSpan.Zero);
        ChatMessage[] messages =
        [
            new(_room, 1, "ann", "hello", createdAt, "c-1", "Ann"),
            new(_room, 2, "bob", "ünïcødé ✓ \"quoted\"\nnext line", createdAt.AddSeconds(1), null),
        ];

        await _log.AppendAsync(_room, messages, 100);
        var snapshot = await _log.ReadRecentAsync(_room, 100);

        Assert.Equal(2, snapshot.LastSeq);
        Assert.Equal(messages, snapshot.Messages);
    }

    [Fact]
    public async Task An_empty_room_reads_as_seq_zero()
    {
        var snapshot = await _log.ReadRecentAsync(_room, 10);

        Assert.Equal(0, snapshot.LastSeq);
        Assert.Empty(snapshot.Messages);
    }

    [Fact]
    public async Task An_append_that_does_not_follow_the_last_seq_is_refused_and_stores_nothing()
    {
        await _log.AppendAsync(_room, Messages(1, 3, "first"), 100);
        // A second activation of the room, e.g. one that lost its silo's membership race, with a stale view.
        await using var stale = new RedisRoomLog(redis.Configuration.Clone(), Prefix);

        var reused = await Assert.ThrowsAsync<RoomLogConflictException>(() => stale.AppendAsync(_room, Messages(3, 4, "stale"), 100));
        var gap = await Assert.ThrowsAsync<RoomLogConflictException>(() => stale.AppendAsync(_room, Messages(5, 5, "gap"), 100));

        Assert.Equal(3, reused.ActualLastSeq);
        Assert.Equal(3, gap.ActualLastSeq);
        var snapshot = await _log.ReadRecentAsync(_room, 100);
        Assert.Equal(3, snapshot.LastSeq);
        Assert.All(snapshot.Messages, m => Assert.Equal("first", m.UserId));
    }

    [Fact]
    public async Task Racing_writers_never_store_two_messages_under_one_seq_nor_leave_a_gap()
    {
        const int perWriter = 150;
        await using var other = new RedisRoomLog(redis.Configuration.Clone(), Prefix);

        await Task.WhenAll(WriteAsync(_log, "w1"), WriteAsync(other, "w2"));

        var snapshot = await _log.ReadRecentAsync(_room, 10_000);
        Assert.Equal(2 * perWriter, snapshot.LastSeq);
        Assert.Equal(Enumerable.Range(1, 2 * perWriter).Select(i => (long)i), snapshot.Messages.Select(m => m.Seq));
        Assert.Equal(perWriter, snapshot.Messages.Count(m => m.UserId == "w1"));
        Assert.Equal(perWriter, snapshot.Messages.Count(m => m.UserId == "w2"));

        async Task WriteAsync(RedisRoomLog log, string writer)
        {
            var written = 0;
            var last = 0L;
            while (written < perWriter)
            {
                try
                {
                    await log.AppendAsync(_room, Messages(last + 1, last + 1, writer), 10_000);
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
            await _log.AppendAsync(_room, Messages(from, from + 2, "ann"), 5);
        }

        var snapshot = await _log.ReadRecentAsync(_room, 100);
        Assert.Equal(12, snapshot.LastSeq);
        Assert.Equal([8L, 9, 10, 11, 12], snapshot.Messages.Select(m => m.Seq));
        Assert.Equal(5, await redis.Connection.GetDatabase().StreamLengthAsync($"{Prefix}{{{_room}}}/log"));

        await Assert.ThrowsAsync<RoomLogConflictException>(() => _log.AppendAsync(_room, Messages(12, 12, "ann"), 5));
        await _log.AppendAsync(_room, Messages(13, 13, "ann"), 5);
        Assert.Equal(13, (await _log.ReadRecentAsync(_room, 2)).LastSeq);
    }

    [Fact]
    public async Task A_batch_whose_seqs_do_not_run_on_is_rejected_before_anything_is_stored()
    {
        ChatMessage[] broken = [.. Messages(1, 2, "ann"), .. Messages(4, 4, "ann")];

        await Assert.ThrowsAsync<ArgumentException>(() => _log.AppendAsync(_room, broken, 100));

        Assert.Equal(0, (await _log.ReadRecentAsync(_room, 100)).LastSeq);
    }

    [Fact]
    public async Task Trimming_below_a_seq_deletes_the_older_messages_and_keeps_the_last_seq()
    {
        await _log.AppendAsync(_room, Messages(1, 5, "ann"), 100);

        await _log.TrimBelowAsync(_room, 4);
        var snapshot = await _log.ReadRecentAsync(_room, 100);
        await _log.TrimBelowAsync(_room, 6);
        var empty = await _log.ReadRecentAsync(_room, 100);

        Assert.Equal([4L, 5L], snapshot.Messages.Select(m => m.Seq));
        Assert.Empty(empty.Messages);
        Assert.Equal(5, empty.LastSeq);
        Assert.Equal(6, await _log.AppendAsync(_room, Messages(6, 6, "ann"), 100));
    }

    private ChatMessage[] Messages(long from, long to, string userId) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(seq =>
            new ChatMessage(_room, seq, userId, $"message {seq}", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + seq), $"{userId}-{seq}"))];
}
