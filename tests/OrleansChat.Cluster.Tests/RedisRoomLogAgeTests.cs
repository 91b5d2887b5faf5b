using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// Retention by age in the Redis room log against a real redis-server: the oldest events go while their time is before
/// the cutoff, up to the first that is not (the rule of the grain's window), and the last seq and epoch stay.
/// </summary>
public sealed class RedisRoomLogAgeTests(RedisServer redis) : RedisRoomLogTest(redis, "test/age/"), IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task A_trim_drops_the_oldest_events_up_to_the_first_young_enough_and_keeps_the_last_seq_and_epoch()
    {
        // Seq 3 is older than seq 2 (written by a silo whose clock was behind): the trim stops at seq 2 all the same.
        await Log.AppendAsync(Room, Epoch, [Event(1, 0), Event(2, 20), Event(3, 5), Event(4, 30)], 100);

        await Log.TrimBeforeAsync(Room, Start.AddMinutes(10));
        var trimmed = await Log.ReadRecentAsync(Room, 100);
        await Log.TrimBeforeAsync(Room, Start.AddMinutes(60));
        var empty = await Log.ReadRecentAsync(Room, 100);

        Assert.Equal([2L, 3, 4], trimmed.Events.Select(e => e.Seq));
        Assert.Equal([20.0, 5, 30], trimmed.Events.Select(e => (e.At - Start).TotalMinutes));
        Assert.Empty(empty.Events);
        Assert.Equal((4L, Epoch), (empty.LastSeq, empty.Epoch));
        Assert.Equal(0, await Redis.Connection.GetDatabase().HashLengthAsync(Log.Keys(Room)[3]));
        Assert.Equal(5, await Log.AppendAsync(Room, Epoch, [Event(5, 70)], 100));
        await Assert.ThrowsAsync<RoomLogConflictException>(() => Log.AppendAsync(Room, "other", [Event(6, 70)], 100));
    }

    [Fact]
    public async Task An_append_trims_by_age_in_the_same_step_through_more_than_a_page_of_old_events()
    {
        await Log.AppendAsync(Room, Epoch, [.. Enumerable.Range(1, 300).Select(seq => Event(seq, 0))], 1000);
        await Log.AppendAsync(Room, Epoch, [Event(301, 30), Event(302, 5)], 1000, trimBefore: Start.AddMinutes(10));

        var snapshot = await Log.ReadRecentAsync(Room, 1000);
        var unchanged = await Log.AppendAsync(Room, Epoch, [Event(303, 40)], 1000, trimBefore: Start.AddMinutes(10));

        Assert.Equal([301L, 302], snapshot.Events.Select(e => e.Seq));
        Assert.Equal(302, snapshot.LastSeq);
        Assert.Equal(303, unchanged);
        Assert.Equal([301L, 302, 303], (await Log.ReadRecentAsync(Room, 1000)).Events.Select(e => e.Seq));
        // A body and the seq of the newest event naming it, per retained message.
        Assert.Equal(6, await Redis.Connection.GetDatabase().HashLengthAsync(Log.Keys(Room)[3]));
    }

    [Fact]
    public async Task A_room_that_stops_posting_loses_its_events_and_texts_by_key_expiry_and_keeps_its_last_seq_and_epoch()
    {
        await using var expiring = NewLog(expireIdleAfter: TimeSpan.FromSeconds(1));
        var keys = expiring.Keys(Room);
        var database = Redis.Connection.GetDatabase();

        await expiring.AppendAsync(Room, Epoch, [Event(1, 0), Event(2, 1)], 100);

        // One instant for both, so that no read finds events without their messages.
        Assert.NotNull(await database.KeyExpireTimeAsync(keys[0]));
        Assert.Equal(await database.KeyExpireTimeAsync(keys[0]), await database.KeyExpireTimeAsync(keys[3]));
        Assert.Null(await database.KeyExpireTimeAsync(keys[1]));
        Assert.Null(await database.KeyExpireTimeAsync(keys[2]));
        await Poll.UntilAsync(
            async () => !await database.KeyExistsAsync(keys[0]) && !await database.KeyExistsAsync(keys[3]),
            "the events and messages expired",
            TimeSpan.FromSeconds(15));
        var snapshot = await expiring.ReadRecentAsync(Room, 100);

        Assert.Empty(snapshot.Events);
        Assert.Equal((2L, Epoch), (snapshot.LastSeq, snapshot.Epoch));
        Assert.Equal(3, await expiring.AppendAsync(Room, Epoch, [Event(3, 2)], 100));
    }

    private RoomEvent Event(long seq, int minutes) =>
        RoomEvent.Posted(new ChatMessage(Room, seq, "ann", $"message {seq}", Start.AddMinutes(minutes), null));
}
