using System.Text;
using OrleansChat.Api.Events;
using OrleansChat.Api.Feeds;

namespace OrleansChat.Tests.Sse;

/// <summary>How a reader's cursor and a node's frame cache deal with epochs and with changed messages.</summary>
public sealed class RoomCursorEpochTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    private static RoomEvent Posted(long seq, string text = "t") => RoomEvent.Posted(new ChatMessage("r", seq, "ann", $"{text}{seq}", At, null));

    [Fact]
    public async Task A_feed_catching_up_into_a_new_epoch_resets_to_its_start_and_then_delivers_all_of_it()
    {
        var cursor = new RoomCursor("r", 7, "old");
        var pages = new Pages(new EventPage(2, 1, "new", [Posted(1), Posted(2)]));

        var frames = new List<SseFrame>();
        await foreach (var page in cursor.CatchUpAsync(pages, 2, followNewEpoch: true))
        {
            frames.AddRange(page);
        }

        var reset = Assert.IsType<ResetFrame>(frames[0]);
        Assert.Equal((0L, "new"), (reset.LastSeq, reset.Epoch));
        Assert.Equal([1L, 2], frames.Skip(1).Cast<ChatFrame>().Select(f => f.LastSeq));
        Assert.Equal((2L, "new"), (cursor.Position, cursor.Epoch));
        Assert.Equal([("old", 7L), ("new", 0L)], pages.Reads);
    }

    [Fact]
    public async Task A_client_resuming_with_another_epoch_is_reset_to_the_rooms_last_seq_and_reads_no_further()
    {
        var cursor = new RoomCursor("r", 1, "old");
        var pages = new Pages(new EventPage(5, 1, "new", [Posted(2)]));

        var frames = new List<SseFrame>();
        await foreach (var page in cursor.CatchUpAsync(pages, 5, followNewEpoch: false))
        {
            frames.AddRange(page);
        }

        var reset = Assert.IsType<ResetFrame>(Assert.Single(frames));
        Assert.Equal((5L, "new", true), (reset.LastSeq, reset.Epoch, reset.EpochChanged));
        Assert.Contains("\"epoch\":\"new\"", Encoding.UTF8.GetString(reset.Bytes.Span));
        Assert.Single(pages.Reads);
    }

    [Fact]
    public async Task A_client_resuming_with_an_epoch_into_a_room_whose_log_is_empty_again_is_reset_and_then_takes_the_new_log()
    {
        // An embedded node restarted: the page knows its messages of "old" from its posts' replies, and reconnects
        // before anyone posted to the new log.
        var cursor = new RoomCursor("r", 0, "old");
        var pages = new Pages(new EventPage(0, 1, null, []));

        var frames = new List<SseFrame>();
        await foreach (var page in cursor.CatchUpAsync(pages, 0, followNewEpoch: false))
        {
            frames.AddRange(page);
        }

        var reset = Assert.IsType<ResetFrame>(Assert.Single(frames));
        Assert.Equal((0L, (string?)null, true), (reset.LastSeq, reset.Epoch, reset.EpochChanged));
        Assert.False(cursor.Admit(new FrameCache().Encode("new", Posted(1))).IsEmpty);
        Assert.Equal((1L, "new"), (cursor.Position, cursor.Epoch));
    }

    [Fact]
    public void A_reader_drops_frames_of_another_epoch_and_resets_only_when_it_is_not_already_there()
    {
        var cache = new FrameCache();
        var cursor = new RoomCursor("r", 3, "e1");

        Assert.True(cursor.Admit(cache.Encode("e0", Posted(4))).IsEmpty);
        Assert.False(cursor.Admit(cache.Encode("e1", Posted(4))).IsEmpty);
        // Already in e1 at 4: the feed's news of a change to e1 is nothing new, nor is a room at or above 4.
        Assert.True(cursor.Admit(ResetFrame.Of("r", 0, "e1", epochChanged: true)).IsEmpty);
        Assert.True(cursor.Admit(ResetFrame.Of("r", 4, "e1", epochChanged: false)).IsEmpty);
        // A room of e1 that fell below what this reader wrote, or a room on another log, is.
        Assert.False(cursor.Admit(ResetFrame.Of("r", 2, "e1", epochChanged: false)).IsEmpty);
        Assert.Equal((2L, "e1"), (cursor.Position, cursor.Epoch));
        Assert.False(cursor.Admit(ResetFrame.Of("r", 0, "e2", epochChanged: true)).IsEmpty);
        Assert.Equal((0L, "e2"), (cursor.Position, cursor.Epoch));
        Assert.False(cursor.Admit(cache.Encode("e2", Posted(1))).IsEmpty);
    }

    [Fact]
    public void A_change_re_encodes_the_cached_frames_of_its_message_and_an_older_page_cannot_bring_the_text_back()
    {
        var cache = new FrameCache();
        var original = Posted(1, "secret");
        cache.Encode("e1", original);
        var edited = original.Message.EditedTo("secret, edited", At.AddSeconds(1));
        cache.Encode("e1", new RoomEvent(2, RoomEventKind.Edit, At.AddSeconds(1), edited));

        Assert.Equal(edited, cache.Find("e1", 1)!.Event.Message);
        var tombstone = edited.Tombstone("ann", At.AddSeconds(2));
        cache.Encode("e1", new RoomEvent(3, RoomEventKind.Delete, At.AddSeconds(2), tombstone));
        // A replay page read before the deletion still carries the text.
        var stale = cache.Encode("e1", original);

        Assert.Equal(tombstone, stale.Event.Message);
        foreach (var seq in new long[] { 1, 2, 3 })
        {
            var frame = cache.Find("e1", seq)!;
            Assert.Equal(tombstone, frame.Event.Message);
            Assert.DoesNotContain("secret", Encoding.UTF8.GetString(frame.Bytes.Span));
        }

        Assert.Null(cache.Find("e2", 1));
        Assert.NotNull(cache.Find(null, 1));
    }

    /// <summary>Answers every read with the same page, recording what was asked.</summary>
    private sealed class Pages(EventPage page) : IRoomPages
    {
        public List<(string? Epoch, long Seq)> Reads { get; } = [];

        public Task<RoomPage> ReadAfterAsync(string? epoch, long seq)
        {
            Reads.Add((epoch, seq));
            var events = page.Events.Where(e => e.Seq > seq).ToList();
            return Task.FromResult(new RoomPage(page.LastSeq, page.FirstRetainedSeq, page.Epoch, [.. events.Select(e => ChatFrame.Of(page.Epoch!, e))]));
        }
    }
}
