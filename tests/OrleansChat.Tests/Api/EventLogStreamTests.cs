using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>
/// Edits and deletions on the event stream, on two API nodes of one cluster: every replay shows messages as they now
/// stand, whichever node and resume point, and no node's cached frames keep a deleted text.
/// </summary>
public sealed class EventLogStreamTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private const string Marker = "secret-7f3a";
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static string NewRoom() => $"log-{Guid.NewGuid():N}";

    [Fact]
    public async Task Live_streams_get_edit_and_delete_events_with_seq_and_epoch_ids()
    {
        var room = NewRoom();
        await using var onB = await nodes.NodeB.ConnectAsync(room);
        await Eventually.TrueAsync(() => onB.RawText.Length > 0, "the stream opened");

        await nodes.NodeA.PostAsync(room, "ann", "helo");
        await nodes.NodeA.Http.PatchAsJsonAsync($"/rooms/{room}/messages/1", new { userId = "ann", text = "hello" });
        await nodes.NodeA.Http.DeleteAsync($"/rooms/{room}/messages/1?userId=ann");

        var epoch = await nodes.NodeA.EpochAsync(room);
        var events = await ReadUntilAsync(onB, 3);
        Assert.Equal([("chat", $"1-{epoch}"), ("edit", $"2-{epoch}"), ("delete", $"3-{epoch}")], events.Select(e => (e.EventType, e.EventId!)));
        var edit = JsonSerializer.Deserialize<ChatMessage>(events[1].Data, Web)!;
        Assert.Equal((1L, "hello"), (edit.Seq, edit.Text));
        Assert.NotNull(edit.EditedAt);
        var delete = JsonSerializer.Deserialize<ChatMessage>(events[2].Data, Web)!;
        Assert.Equal((1L, null, true), (delete.Seq, delete.Text, delete.Deleted));
    }

    [Fact]
    public async Task Replays_from_every_point_on_both_nodes_show_messages_as_they_now_stand()
    {
        var room = NewRoom();
        // Open feeds on both nodes, so that replays are served from their cached frames too.
        await using var liveA = await nodes.NodeA.ConnectAsync(room);
        await using var liveB = await nodes.NodeB.ConnectAsync(room);
        await Eventually.TrueAsync(() => liveA.RawText.Length > 0 && liveB.RawText.Length > 0, "the streams opened");
        await nodes.NodeA.PostAsync(room, "ann", "kept");
        await nodes.NodeB.PostAsync(room, "bob", Marker);
        await nodes.NodeA.Http.PatchAsJsonAsync($"/rooms/{room}/messages/2", new { userId = "bob", text = Marker + " (edited)" });
        await nodes.NodeB.Http.DeleteAsync($"/rooms/{room}/messages/2?userId=bob");
        await nodes.NodeA.PostAsync(room, "ann", "after");
        await ReadUntilAsync(liveA, 5);
        await ReadUntilAsync(liveB, 5);
        var epoch = await nodes.NodeA.EpochAsync(room);
        string[] kinds = ["chat", "chat", "edit", "delete", "chat"];
        long[] messageSeqs = [1, 2, 2, 2, 5];

        // Before the second message, between it and the edit, between the edit and the deletion, after both.
        foreach (var node in new[] { nodes.NodeA, nodes.NodeB })
        {
            foreach (var resumeAfter in new[] { 0, 1, 2, 3, 4 })
            {
                await using var client = await node.ConnectAsync(room, lastEventId: $"{resumeAfter}-{epoch}");
                var events = await ReadUntilAsync(client, 5);

                Assert.Equal(Enumerable.Range(resumeAfter + 1, 5 - resumeAfter).Select(seq => $"{seq}-{epoch}"), events.Select(e => e.EventId));
                Assert.Equal(kinds[resumeAfter..], events.Select(e => e.EventType));
                var messages = events.Select(e => JsonSerializer.Deserialize<ChatMessage>(e.Data, Web)!).ToList();
                Assert.Equal(messageSeqs[resumeAfter..], messages.Select(m => m.Seq));
                Assert.All(messages.Where(m => m.Seq == 2), m => Assert.Equal((null, true, "bob"), (m.Text, m.Deleted, m.DeletedBy)));
                Assert.DoesNotContain(Marker, client.RawText);
            }

            Assert.DoesNotContain(Marker, await node.Http.GetStringAsync($"/rooms/{room}/messages"));
            Assert.DoesNotContain(Marker, await node.Http.GetStringAsync($"/rooms/{room}/messages/2"));
        }
    }

    [Fact]
    public async Task A_resume_point_of_another_epoch_gets_a_reset_and_a_bare_seq_is_still_accepted()
    {
        var room = NewRoom();
        for (var i = 1; i <= 3; i++)
        {
            await nodes.NodeA.PostAsync(room, "ann", $"m{i}");
        }

        var epoch = await nodes.NodeA.EpochAsync(room);
        await using var otherEpoch = await nodes.NodeB.ConnectAsync(room, lastEventId: "2-zzzz");
        await using var bare = await nodes.NodeB.ConnectAsync(room, lastEventId: "2");

        var reset = await otherEpoch.NextAsync();
        Assert.Equal("reset", reset.EventType);
        Assert.Equal($$"""{"roomId":"{{room}}","lastSeq":3,"epoch":"{{epoch}}"}""", reset.Data);
        Assert.Equal($"3-{epoch}", (await bare.NextAsync()).EventId);
        await nodes.NodeA.PostAsync(room, "ann", "m4");
        Assert.Equal($"4-{epoch}", (await otherEpoch.NextAsync()).EventId);
        Assert.Equal($"4-{epoch}", (await bare.NextAsync()).EventId);
    }

    /// <summary>The events up to the one with seq <paramref name="seq"/>, in order of arrival.</summary>
    internal static async Task<List<SseItem<string>>> ReadUntilAsync(SseClient client, long seq)
    {
        var events = new List<SseItem<string>>();
        while (true)
        {
            var item = await client.NextAsync();
            events.Add(item);
            if (!string.IsNullOrEmpty(item.EventId) && SseClient.SeqOf(item.EventId) >= seq)
            {
                return events;
            }
        }
    }
}
