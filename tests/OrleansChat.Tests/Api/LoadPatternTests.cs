using System.Text;
using OrleansChat.Api.Events;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>
/// The load generator's patterns (bench/) at a small scale, asserting what the benchmark counts: every subscriber
/// receives every acknowledged message of its room exactly once and in seq order — under concurrent posters
/// (which make the room grain batch, and the feed deliver batches as one frame) and under a herd of clients
/// resuming the same backlog at once (which share the feed's encoded frames).
/// </summary>
public sealed class LoadPatternTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Rooms_with_concurrent_posters_deliver_each_message_once_and_in_order_to_every_subscriber()
    {
        await using var api = await ApiHost.StartAsync();
        var rooms = Enumerable.Range(0, 3).Select(r => $"load-{Guid.NewGuid():N}-{r}").ToArray();
        var subscribers = new List<(string Room, SseClient Client)>();
        foreach (var room in rooms)
        {
            for (var s = 0; s < 4; s++)
            {
                // Last-Event-ID 0, as the load generator connects: nothing posted after connecting can be missed.
                subscribers.Add((room, await api.ConnectAsync(room, lastEventId: "0")));
            }
        }

        try
        {
            const int posters = 8, postsEach = 25;
            await Task.WhenAll(Enumerable.Range(0, posters).Select(p => Task.Run(async () =>
            {
                for (var i = 0; i < postsEach; i++)
                {
                    await api.PostAsync(rooms[(p + i) % rooms.Length], $"poster-{p}", $"message {i} of poster {p}");
                }
            })));

            foreach (var (room, client) in subscribers)
            {
                var lastSeq = (await api.HistoryAsync(room, "?limit=1")).LastSeq;
                await client.WaitForSeqAsync(lastSeq, Deadline);
                Assert.Equal(Enumerable.Range(1, (int)lastSeq).Select(i => (long)i), client.ChatSeqs);
            }

            Assert.Equal(posters * postsEach, (await Task.WhenAll(rooms.Select(r => api.HistoryAsync(r, "?limit=1")))).Sum(p => p.LastSeq));
        }
        finally
        {
            foreach (var (_, client) in subscribers)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_herd_resuming_one_backlog_while_posts_continue_gets_every_message_once_and_in_order()
    {
        await using var api = await ApiHost.StartAsync();
        var room = $"herd-{Guid.NewGuid():N}";
        const int backlog = 600, live = 40;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (var i = p; i < backlog; i += 8)
            {
                await api.PostAsync(room, $"poster-{p}", $"backlog {i}");
            }
        })));

        // Everyone resumes from 0 at once (two history pages each), while new posts arrive on the live feed.
        var connecting = Enumerable.Range(0, 12).Select(_ => api.ConnectAsync(room, lastEventId: "0")).ToArray();
        var posting = Task.Run(async () =>
        {
            for (var i = 0; i < live; i++)
            {
                await api.PostAsync(room, "live", $"live {i}");
            }
        });
        var clients = await Task.WhenAll(connecting);
        try
        {
            await posting;
            foreach (var client in clients)
            {
                await client.WaitForSeqAsync(backlog + live, Deadline);
                Assert.Equal(Enumerable.Range(1, backlog + live).Select(i => (long)i), client.ChatSeqs);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_reconnect_further_behind_than_a_history_page_gets_the_gap_and_then_everything_retained()
    {
        // The bench's slow subscribers found this: a resume point more than a page (500) below the retained history
        // got its gap event and then nothing of the retained history, only later live messages.
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:History:MaxMessages"] = "100" });
        var room = $"behind-{Guid.NewGuid():N}";
        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (var i = p; i < 700; i += 8)
            {
                await api.PostAsync(room, $"poster-{p}", $"message {i}");
            }
        })));

        await using var client = await api.ConnectAsync(room, lastEventId: "1");
        var gap = await client.NextAsync();
        Assert.Equal("gap", gap.EventType);
        Assert.Contains("\"from\":2,\"to\":600", gap.Data);
        await client.WaitForSeqAsync(700, Deadline);
        Assert.Equal(Enumerable.Range(601, 100).Select(i => (long)i), client.ChatSeqs);
    }

    [Fact]
    public void A_batch_frame_written_after_part_of_it_was_replayed_writes_only_the_rest()
    {
        var frames = Enumerable.Range(5, 3)
            .Select(seq => ChatFrame.Of("e1", RoomEvent.Posted(new ChatMessage("r", seq, "ann", $"text {seq}", DateTimeOffset.UnixEpoch, null))))
            .ToArray();
        var batch = ChatBatchFrame.Of(frames);

        Assert.Equal(5, batch.FirstSeq);
        Assert.Equal(7, batch.LastSeq);
        Assert.Equal(Text(frames[0]) + Text(frames[1]) + Text(frames[2]), Encoding.UTF8.GetString(batch.After(4).Span));
        Assert.Equal(Text(frames[1]) + Text(frames[2]), Encoding.UTF8.GetString(batch.After(5).Span));
        Assert.Equal(Text(frames[2]), Encoding.UTF8.GetString(batch.After(6).Span));
        Assert.Equal("", Encoding.UTF8.GetString(batch.After(7).Span));
        Assert.Same(frames[1], ChatBatchFrame.Of([frames[1]]));
        Assert.Throws<ArgumentException>(() => ChatBatchFrame.Of([frames[0], frames[2]]));

        static string Text(SseFrame frame) => Encoding.UTF8.GetString(frame.Bytes.Span);
    }
}
