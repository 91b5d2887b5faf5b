using System.Net;
using System.Text.Json;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class SseTests(SseApiFixture fixture) : IClassFixture<SseApiFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private ApiHost Api => fixture.Host;

    private static string NewRoom() => $"sse-{Guid.NewGuid():N}";

    [Fact]
    public async Task Headers_and_the_retry_hint_arrive_before_any_message()
    {
        await using var client = await Api.ConnectAsync(NewRoom());

        Assert.Equal(HttpStatusCode.OK, client.Response.StatusCode);
        Assert.Equal("text/event-stream", client.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(client.Response.Headers.CacheControl?.NoCache);
        Assert.Equal("no", Assert.Single(client.Response.Headers.GetValues("X-Accel-Buffering")));
        await Eventually.TrueAsync(() => client.RawText.Length > 0, "the first bytes arrived");
        Assert.StartsWith("retry: 1234\n\n", client.RawText);
    }

    [Fact]
    public async Task Live_messages_arrive_as_chat_events_with_the_seq_as_id_and_the_stored_message_as_data()
    {
        var room = NewRoom();
        await using var client = await Api.ConnectAsync(room);
        await Eventually.TrueAsync(() => client.RawText.Length > 0, "the stream opened");

        var posted = new List<ChatMessage>();
        for (var i = 1; i <= 3; i++)
        {
            posted.Add(await Api.PostAsync(room, "ann", $"hello {i} 😀 <b>", $"c{i}"));
        }

        var epoch = await Api.EpochAsync(room);
        Assert.Matches("^[A-Za-z0-9]{1,16}$", epoch);
        foreach (var expected in posted)
        {
            var item = await client.NextAsync();
            Assert.Equal("chat", item.EventType);
            Assert.Equal($"{expected.Seq}-{epoch}", item.EventId);
            Assert.DoesNotContain('\n', item.Data);
            Assert.Equal(expected, JsonSerializer.Deserialize<ChatMessage>(item.Data, Web));
        }
    }

    [Fact]
    public async Task Without_a_resume_point_only_messages_after_connecting_arrive()
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "before 1");
        await Api.PostAsync(room, "ann", "before 2");
        await using var client = await Api.ConnectAsync(room);
        await Eventually.TrueAsync(() => client.RawText.Length > 0, "the stream opened");

        await Api.PostAsync(room, "ann", "after");

        var item = await client.NextAsync();
        Assert.Equal($"3-{await Api.EpochAsync(room)}", item.EventId);
    }

    [Fact]
    public async Task Resume_by_header_replays_what_was_missed_then_continues_live()
    {
        var room = NewRoom();
        for (var i = 1; i <= 5; i++)
        {
            await Api.PostAsync(room, "ann", $"m{i}");
        }

        await using var client = await Api.ConnectAsync(room, lastEventId: "2");
        await client.WaitForSeqAsync(5);
        await Api.PostAsync(room, "bob", "m6");
        await client.WaitForSeqAsync(6);

        Assert.Equal([3, 4, 5, 6], client.ChatSeqs);
    }

    [Fact]
    public async Task Resume_by_query_works_and_the_header_wins_over_the_query()
    {
        var room = NewRoom();
        for (var i = 1; i <= 5; i++)
        {
            await Api.PostAsync(room, "ann", $"m{i}");
        }

        await using var byQuery = await Api.ConnectAsync(room, query: "?lastEventId=3");
        await using var both = await Api.ConnectAsync(room, lastEventId: "4", query: "?lastEventId=1");
        await byQuery.WaitForSeqAsync(5);
        await both.WaitForSeqAsync(5);

        Assert.Equal([4, 5], byQuery.ChatSeqs);
        Assert.Equal([5], both.ChatSeqs);
    }

    [Fact]
    public async Task Messages_posted_while_a_resume_replays_arrive_exactly_once_and_in_order()
    {
        var room = NewRoom();
        const int backlog = 700;
        const int during = 150;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async w =>
        {
            for (var i = w; i < backlog; i += 4)
            {
                await Api.PostAsync(room, $"u{w}", $"backlog {i}");
            }
        }));

        // Posting keeps going while several clients replay the backlog (more than one history page each).
        var posting = Task.Run(async () =>
        {
            for (var i = 0; i < during; i++)
            {
                await Api.PostAsync(room, "live", $"during {i}");
            }
        });
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Api.ConnectAsync(room, lastEventId: "0")));
        await posting;

        foreach (var client in clients)
        {
            await client.WaitForSeqAsync(backlog + during, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(1, backlog + during).Select(i => (long)i), client.ChatSeqs);
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_resume_point_beyond_the_room_gets_one_reset_event_then_live_messages_after_last_seq()
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "m1");
        await Api.PostAsync(room, "ann", "m2");

        await using var client = await Api.ConnectAsync(room, lastEventId: "10");
        var reset = await client.NextAsync();
        await Api.PostAsync(room, "ann", "m3");
        var next = await client.NextAsync();

        Assert.Equal("reset", reset.EventType);
        Assert.Null(reset.EventId);
        var epoch = await Api.EpochAsync(room);
        Assert.Equal($$"""{"roomId":"{{room}}","lastSeq":2,"epoch":"{{epoch}}"}""", reset.Data);
        Assert.Equal("chat", next.EventType);
        Assert.Equal($"3-{epoch}", next.EventId);
    }

    [Fact]
    public async Task A_resume_point_equal_to_last_seq_replays_nothing_and_goes_live()
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "m1");

        await using var client = await Api.ConnectAsync(room, lastEventId: "1");
        await Eventually.TrueAsync(() => client.RawText.Length > 0, "the stream opened");
        await Api.PostAsync(room, "ann", "m2");

        var next = await client.NextAsync();
        Assert.Equal("chat", next.EventType);
        Assert.Equal($"2-{await Api.EpochAsync(room)}", next.EventId);
    }

    [Fact]
    public async Task A_quiet_stream_gets_keepalive_comments()
    {
        await using var client = await Api.ConnectAsync(NewRoom());

        await Eventually.TrueAsync(() => client.RawText.Contains("\n: keepalive\n\n"), "a keep-alive comment arrived", TimeSpan.FromSeconds(10));
        Assert.StartsWith("retry: 1234\n\n", client.RawText);
    }
}
