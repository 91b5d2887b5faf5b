using OrleansChat.Cluster.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The Redis room log's v2 layout against a real redis-server: an edit keeps only the newest text, a deletion keeps
/// none, trimming releases messages no retained event names, and the epoch is created with the first append.
/// </summary>
public sealed class RedisRoomLogErasureTests(RedisServer redis) : RedisRoomLogTest(redis, "test/erasure/"), IClassFixture<RedisServer>
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task An_edit_keeps_only_the_newest_text_and_a_deletion_leaves_no_text_in_any_of_the_rooms_keys()
    {
        var original = new ChatMessage(Room, 1, "ann", "first-marker-91c", At, "c-1", "Ann");
        var edited = original.EditedTo("second-marker-4d2", At.AddSeconds(1));
        var tombstone = edited.Tombstone("mod", At.AddSeconds(2));

        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(original), RoomEvent.Posted(Other(2))], 100);
        await Log.AppendAsync(Room, Epoch, [new RoomEvent(3, RoomEventKind.Edit, edited.EditedAt!.Value, edited)], 100);
        var afterEdit = await RoomContentsAsync();
        await Log.AppendAsync(Room, Epoch, [new RoomEvent(4, RoomEventKind.Delete, tombstone.DeletedAt!.Value, tombstone)], 100);
        var afterDelete = await RoomContentsAsync();

        Assert.DoesNotContain("first-marker-91c", afterEdit);
        Assert.Contains("second-marker-4d2", afterEdit);
        Assert.DoesNotContain("first-marker-91c", afterDelete);
        Assert.DoesNotContain("second-marker-4d2", afterDelete);
        Assert.Contains("still here", afterDelete);
        var snapshot = await Log.ReadRecentAsync(Room, 100);
        Assert.Equal([1L, 2, 3, 4], snapshot.Events.Select(e => e.Seq));
        Assert.Equal([tombstone, Other(2), tombstone, tombstone], snapshot.Events.Select(e => e.Message));
        Assert.Equal([RoomEventKind.Message, RoomEventKind.Message, RoomEventKind.Edit, RoomEventKind.Delete], snapshot.Events.Select(e => e.Kind));
    }

    [Fact]
    public async Task Trimming_releases_a_message_once_no_retained_event_names_it()
    {
        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(Other(1)), RoomEvent.Posted(Other(2)), RoomEvent.Posted(Other(3))], 3);
        var edited = Other(1).EditedTo("edited", At.AddSeconds(5));
        await Log.AppendAsync(Room, Epoch, [new RoomEvent(4, RoomEventKind.Edit, At.AddSeconds(5), edited)], 3);

        var snapshot = await Log.ReadRecentAsync(Room, 100);
        Assert.Equal([2L, 3, 4], snapshot.Events.Select(e => e.Seq));
        Assert.Equal(edited, snapshot.Events[^1].Message);
        Assert.Equal(3, await MessageCountAsync());

        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(Other(5)), RoomEvent.Posted(Other(6)), RoomEvent.Posted(Other(7))], 3);

        Assert.Equal([5L, 6, 7], (await Log.ReadRecentAsync(Room, 100)).Events.Select(e => e.Seq));
        Assert.Equal(3, await MessageCountAsync());
    }

    [Fact]
    public async Task Trimming_by_age_leaves_no_text_of_a_trimmed_message_in_any_of_the_rooms_keys()
    {
        var aged = new ChatMessage(Room, 1, "ann", "aged-marker-7f3", At, "c-1", "Ann");
        var editedLater = Other(2).EditedTo("recent-edit-b19", At.AddHours(2));
        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(aged), RoomEvent.Posted(Other(2))], 100);
        await Log.AppendAsync(Room, Epoch, [new RoomEvent(3, RoomEventKind.Edit, editedLater.EditedAt!.Value, editedLater)], 100);
        var before = await RoomContentsAsync();

        await Log.TrimBeforeAsync(Room, At.AddHours(1));
        var afterTrim = await RoomContentsAsync();
        var aging = new ChatMessage(Room, 4, "ann", "aging-marker-c20", At.AddHours(2), null);
        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(aging), RoomEvent.Posted(Other(5) with { CreatedAt = At.AddHours(4) })], 100);
        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(Other(6) with { CreatedAt = At.AddHours(4) })], 100, trimBefore: At.AddHours(3));
        var afterAppend = await RoomContentsAsync();

        Assert.Contains("aged-marker-7f3", before);
        Assert.DoesNotContain("aged-marker-7f3", afterTrim);
        // Message 2's own event went, but the retained edit still names it: its newest text stays while the edit does.
        Assert.Contains("recent-edit-b19", afterTrim);
        Assert.DoesNotContain("aging-marker-c20", afterAppend);
        Assert.DoesNotContain("recent-edit-b19", afterAppend);
        Assert.Equal([5L, 6], (await Log.ReadRecentAsync(Room, 100)).Events.Select(e => e.Seq));
        Assert.Equal(2, await MessageCountAsync());
    }

    [Fact]
    public async Task The_first_append_creates_the_epoch_and_an_append_of_another_epoch_is_refused()
    {
        Assert.Null((await Log.ReadRecentAsync(Room, 10)).Epoch);

        await Log.AppendAsync(Room, Epoch, [RoomEvent.Posted(Other(1))], 100);
        // A writer that read another log (one that was lost) must not continue this one, even at the right seq.
        var refused = await Assert.ThrowsAsync<RoomLogConflictException>(
            () => Log.AppendAsync(Room, "other", [RoomEvent.Posted(Other(2))], 100));

        Assert.Equal(1, refused.ActualLastSeq);
        var snapshot = await Log.ReadRecentAsync(Room, 10);
        Assert.Equal((1L, Epoch), (snapshot.LastSeq, snapshot.Epoch));
        Assert.Single(snapshot.Events);
    }

    private ChatMessage Other(long seq) => new(Room, seq, "bob", $"still here {seq}", At.AddMilliseconds(seq), null);

    private async Task<long> MessageCountAsync() =>
        // Each message is a body and the seq of the newest event that names it.
        await Redis.Connection.GetDatabase().HashLengthAsync(Log.Keys(Room)[3]) / 2;

    /// <summary>Everything stored under the room's keys, found by scanning for them, as text.</summary>
    private async Task<string> RoomContentsAsync()
    {
        var database = Redis.Connection.GetDatabase();
        var keys = new List<RedisKey>();
        await foreach (var key in Redis.Connection.GetServers()[0].KeysAsync(pattern: $"{Prefix}{{{Room}}}*"))
        {
            keys.Add(key);
        }

        Assert.Equal(Log.Keys(Room).Select(k => k.ToString()).Order(), keys.Select(k => k.ToString()).Order());
        var contents = new List<string>();
        foreach (var key in keys)
        {
            switch (await database.KeyTypeAsync(key))
            {
                case RedisType.Stream:
                    contents.AddRange((await database.StreamRangeAsync(key)).SelectMany(e => e.Values.Select(v => $"{v.Name}={v.Value}")));
                    break;
                case RedisType.Hash:
                    contents.AddRange((await database.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}"));
                    break;
                default:
                    contents.Add((string)(await database.StringGetAsync(key))!);
                    break;
            }
        }

        return string.Join("\n", contents);
    }
}
