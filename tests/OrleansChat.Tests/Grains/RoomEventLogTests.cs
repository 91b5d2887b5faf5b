namespace OrleansChat.Tests.Grains;

/// <summary>The room's log of typed events: edits and deletions are events, and every read shows messages as they now stand.</summary>
public sealed class RoomEventLogTests(RoomClusterFixture fixture) : IClassFixture<RoomClusterFixture>
{
    private const int Max = RoomClusterFixture.MaxMessages;

    private static string NewRoom() => $"events-{Guid.NewGuid():N}";

    private IRoomGrain Room(string id) => fixture.Grains.GetGrain<IRoomGrain>(id);

    [Fact]
    public async Task Edits_and_deletes_take_the_next_seq_and_history_shows_messages_as_they_now_stand()
    {
        var id = NewRoom();
        await Room(id).Post(new PostMessage("ann", "first", null));
        await Room(id).Post(new PostMessage("bob", "second", null));

        var edited = await Room(id).Edit(new EditMessage(1, "ann", "first, fixed"));
        var deleted = await Room(id).Delete(new DeleteMessage(2, "bob", Moderator: false));

        Assert.Equal(ChangeOutcome.Changed, edited.Outcome);
        Assert.Equal("first, fixed", edited.Message!.Text);
        Assert.NotNull(edited.Message.EditedAt);
        Assert.Equal(ChangeOutcome.Changed, deleted.Outcome);
        Assert.Equal((true, null, "bob"), (deleted.Message!.Deleted!.Value, deleted.Message.Text, deleted.Message.DeletedBy));
        var events = await Room(id).GetEvents(0, 50);
        Assert.Equal([1L, 2, 3, 4], events.Events.Select(e => e.Seq));
        Assert.Equal([RoomEventKind.Message, RoomEventKind.Message, RoomEventKind.Edit, RoomEventKind.Delete], events.Events.Select(e => e.Kind));
        Assert.Equal([1L, 2, 1, 2], events.Events.Select(e => e.Message.Seq));
        Assert.Equal(["first, fixed", null, "first, fixed", null], events.Events.Select(e => e.Message.Text));
        var history = await Room(id).GetHistory(new HistoryQuery(null, null, 50));
        Assert.Equal(4, history.LastSeq);
        Assert.Equal([1L, 2], history.Messages.Select(m => m.Seq));
        Assert.Equal([edited.Message, deleted.Message], history.Messages);
        Assert.Equal(history.Epoch, events.Epoch);
    }

    [Fact]
    public async Task Only_the_author_edits_only_the_author_or_a_moderator_deletes_and_a_tombstone_stays_one()
    {
        var id = NewRoom();
        await Room(id).Post(new PostMessage("ann", "mine", null));

        Assert.Equal(ChangeOutcome.Forbidden, (await Room(id).Edit(new EditMessage(1, "bob", "yours now"))).Outcome);
        Assert.Equal(ChangeOutcome.Forbidden, (await Room(id).Delete(new DeleteMessage(1, "bob", Moderator: false))).Outcome);
        Assert.Equal(ChangeOutcome.NotFound, (await Room(id).Edit(new EditMessage(7, "ann", "nothing there"))).Outcome);
        var byModerator = await Room(id).Delete(new DeleteMessage(1, "mod", Moderator: true));
        var again = await Room(id).Delete(new DeleteMessage(1, "ann", Moderator: false));

        Assert.Equal(ChangeOutcome.Changed, byModerator.Outcome);
        Assert.Equal("mod", byModerator.Message!.DeletedBy);
        Assert.Equal(ChangeOutcome.Unchanged, again.Outcome);
        Assert.Equal(byModerator.Message, again.Message);
        Assert.Equal(ChangeOutcome.NotFound, (await Room(id).Edit(new EditMessage(1, "ann", "back again"))).Outcome);
        Assert.Equal(2, (await Room(id).GetInfo()).LastSeq);
    }

    [Fact]
    public async Task Concurrent_posts_edits_and_deletes_stay_gapless_and_each_change_lands()
    {
        var id = NewRoom();
        for (var i = 1; i <= 5; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", null));
        }

        // Posts, and an edit then a deletion of every earlier message, all at once (a deletion may overtake its edit);
        // 20 events at most, so the window keeps every one of them.
        var posts = Enumerable.Range(6, 5).Select(i => Task.Run(() => Room(id).Post(new PostMessage("ann", $"m{i}", null))));
        var edits = Enumerable.Range(1, 5).Select(seq => Task.Run(() => Room(id).Edit(new EditMessage(seq, "ann", $"edited {seq}"))));
        var deletes = Enumerable.Range(1, 5).Select(seq => Task.Run(() => Room(id).Delete(new DeleteMessage(seq, "ann", false))));
        await Task.WhenAll(posts);
        var edited = await Task.WhenAll(edits);
        Assert.All(await Task.WhenAll(deletes), d => Assert.Equal(ChangeOutcome.Changed, d.Outcome));

        var stored = edited.Count(e => e.Outcome == ChangeOutcome.Changed);
        Assert.All(edited, e => Assert.Contains(e.Outcome, new[] { ChangeOutcome.Changed, ChangeOutcome.NotFound }));
        var info = await Room(id).GetInfo();
        Assert.Equal((15 + stored, 1), (info.LastSeq, info.FirstRetainedSeq));
        var events = await Room(id).GetEvents(0, 500);
        Assert.Equal(Enumerable.Range(1, 15 + stored).Select(i => (long)i), events.Events.Select(e => e.Seq));
        Assert.Equal(10, events.Events.Count(e => e.Kind == RoomEventKind.Message));
        var history = await Room(id).GetHistory(new HistoryQuery(0, null, 500));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), history.Messages.Select(m => m.Seq));
        Assert.All(history.Messages.Where(m => m.Seq <= 5), m => Assert.True(m.Deleted));
        Assert.DoesNotContain(events.Events, e => e.Message.Seq <= 5 && e.Message.Text is not null);
    }

    [Fact]
    public async Task A_delete_followed_by_reactivation_still_shows_the_tombstone_and_the_log_keeps_no_text()
    {
        var id = NewRoom();
        await Room(id).Post(new PostMessage("ann", "secret-marker", "c1"));
        await Room(id).Edit(new EditMessage(1, "ann", "secret-marker, edited"));
        await Room(id).Delete(new DeleteMessage(1, "ann", false));
        var epoch = (await Room(id).GetInfo()).Epoch;

        await fixture.Cluster.DeactivateAsync(Room(id));

        var history = await Room(id).GetHistory(new HistoryQuery(null, null, 50));
        var message = Assert.Single(history.Messages);
        Assert.True(message.Deleted);
        Assert.Null(message.Text);
        Assert.Equal(epoch, history.Epoch);
        var stored = await fixture.Log.ReadRecentAsync(id, 100);
        Assert.DoesNotContain(stored.Events, e => e.Message.Text is not null);
        // A late retry of the deleted post answers with the tombstone rather than posting the text again.
        var retry = await Room(id).Post(new PostMessage("ann", "secret-marker", "c1"));
        Assert.False(retry.Created);
        Assert.True(retry.Message.Deleted);
    }

    [Fact]
    public async Task Trimming_counts_events_and_a_retry_of_a_retained_post_still_answers_the_original()
    {
        var id = NewRoom();
        for (var i = 1; i <= 15; i++)
        {
            await Room(id).Post(new PostMessage("ann", $"m{i}", $"c{i}"));
        }

        for (var i = 0; i < 10; i++)
        {
            await Room(id).Edit(new EditMessage(15, "ann", $"m15 take {i}"));
        }

        var info = await Room(id).GetInfo();
        Assert.Equal((25L, 6L), (info.LastSeq, info.FirstRetainedSeq));
        var latest = await Room(id).GetHistory(new HistoryQuery(null, null, 3));
        Assert.Equal([13L, 14, 15], latest.Messages.Select(m => m.Seq));
        Assert.Equal("m15 take 9", latest.Messages[^1].Text);
        Assert.Equal([6L, 7], (await Room(id).GetHistory(new HistoryQuery(0, null, 2))).Messages.Select(m => m.Seq));
        var retry = await Room(id).Post(new PostMessage("ann", "m15", "c15"));
        Assert.False(retry.Created);
        Assert.Equal("m15 take 9", retry.Message.Text);
        Assert.Equal(25, (await Room(id).GetInfo()).LastSeq);
    }

    [Fact]
    public async Task The_epoch_comes_with_the_first_event_and_stays_across_reactivation()
    {
        var id = NewRoom();
        Assert.Null((await Room(id).GetInfo()).Epoch);

        await Room(id).Post(new PostMessage("ann", "m1", null));
        var epoch = (await Room(id).GetInfo()).Epoch;
        await fixture.Cluster.DeactivateAsync(Room(id));
        await Room(id).Post(new PostMessage("ann", "m2", null));

        Assert.Matches("^[A-Za-z0-9]{1,16}$", epoch);
        Assert.Equal(epoch, (await Room(id).GetInfo()).Epoch);
        Assert.Equal(epoch, (await fixture.Log.ReadRecentAsync(id, 10)).Epoch);
    }
}
