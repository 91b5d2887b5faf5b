using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Cluster.Tests.Infrastructure;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>A room whose log was lost starts again under a new epoch, and no client carries on silently from the old one.</summary>
public sealed class EpochResetTests
{
    [Fact]
    public async Task After_an_embedded_restart_a_resume_from_before_it_gets_a_reset_even_at_or_below_the_new_last_seq()
    {
        var room = $"restart-{Guid.NewGuid():N}";
        string oldEpoch;
        await using (var before = await ApiHost.StartAsync())
        {
            for (var i = 1; i <= 3; i++)
            {
                await before.PostAsync(room, "ann", $"old {i}");
            }

            oldEpoch = (await before.EpochAsync(room))!;
        }

        await using var after = await ApiHost.StartAsync();
        for (var i = 1; i <= 5; i++)
        {
            await after.PostAsync(room, "ann", $"new {i}");
        }

        var newEpoch = await after.EpochAsync(room);
        Assert.NotEqual(oldEpoch, newEpoch);
        await using var client = await after.ConnectAsync(room, lastEventId: $"3-{oldEpoch}");
        var reset = await client.NextAsync();
        await after.PostAsync(room, "ann", "new 6");

        Assert.Equal("reset", reset.EventType);
        Assert.Equal($$"""{"roomId":"{{room}}","lastSeq":5,"epoch":"{{newEpoch}}"}""", reset.Data);
        Assert.Equal($"6-{newEpoch}", (await client.NextAsync()).EventId);
    }

    [Fact]
    public async Task A_wiped_redis_under_a_connected_stream_resets_it_to_the_new_epoch_then_delivers_every_new_message()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        var log = new RedisRoomLog(redis.Configuration.Clone(), "test/room/");
        await using var api = await ApiHost.StartAsync(services: services => services.AddSingleton<IRoomLog>(log));
        var room = $"wiped-{Guid.NewGuid():N}";
        await using var client = await api.ConnectAsync(room);
        await Eventually.TrueAsync(() => client.RawText.Length > 0, "the stream opened");
        for (var i = 1; i <= 4; i++)
        {
            await api.PostAsync(room, "ann", $"old {i}");
        }

        await client.WaitForSeqAsync(4);
        var oldEpoch = await api.EpochAsync(room);

        await redis.Connection.GetDatabase().ExecuteAsync("FLUSHALL");
        // The room refuses to append to a log that is gone (503) until it reactivates on the empty one.
        await Eventually.TrueAsync(
            async () => (await api.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "new 1", clientMessageId = "n1" }))
                .StatusCode is HttpStatusCode.Created or HttpStatusCode.OK,
            "a post was stored in the new log");
        await api.PostAsync(room, "ann", "new 2");
        await api.PostAsync(room, "ann", "new 3");

        var newEpoch = await api.EpochAsync(room);
        Assert.NotEqual(oldEpoch, newEpoch);
        var events = new List<System.Net.ServerSentEvents.SseItem<string>>();
        while (events.Count == 0 || events[^1].EventId != $"3-{newEpoch}")
        {
            events.Add(await client.NextAsync());
        }

        Assert.Equal(
            [.. new[] { 1, 2, 3, 4 }.Select(seq => ("chat", $"{seq}-{oldEpoch}")), ("reset", ""), .. new[] { 1, 2, 3 }.Select(seq => ("chat", $"{seq}-{newEpoch}"))],
            events.Select(e => (e.EventType, e.EventId ?? "")));
        // The node sees the log start again either empty (its check of the room came first: no epoch yet) or with "new 1".
        string[] resets = [$$"""{"roomId":"{{room}}","lastSeq":0}""", $$"""{"roomId":"{{room}}","lastSeq":0,"epoch":"{{newEpoch}}"}"""];
        Assert.Contains(events[4].Data, resets);
        Assert.Equal(["new 1", "new 2", "new 3"], (await api.HistoryAsync(room)).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task A_quiet_room_whose_redis_was_wiped_stops_serving_the_lost_messages_within_its_check_interval()
    {
        await using var redis = new RedisServer();
        await redis.InitializeAsync();
        var log = new RedisRoomLog(redis.Configuration.Clone(), "test/room/");
        await using var api = await ApiHost.StartAsync(
            new Dictionary<string, string?> { ["Chat:History:LogCheckSeconds"] = "1", ["Chat:Feed:CheckIntervalSeconds"] = "1" },
            services => services.AddSingleton<IRoomLog>(log));
        var room = $"quiet-{Guid.NewGuid():N}";
        for (var i = 1; i <= 3; i++)
        {
            await api.PostAsync(room, "ann", $"old {i}");
        }

        var oldEpoch = await api.EpochAsync(room);
        await using var client = await api.ConnectAsync(room, lastEventId: $"3-{oldEpoch}");
        await Eventually.TrueAsync(() => client.RawText.Length > 0, "the stream opened");

        await redis.Connection.GetDatabase().ExecuteAsync("FLUSHALL");
        var wiped = Stopwatch.StartNew();
        // No post: only reads (this poll, and the node's feed check) can tell the room that its log is gone.
        await Eventually.TrueAsync(async () => (await api.HistoryAsync(room)).Messages.Count == 0, "history shows none of the wiped messages");
        var noticedAfter = wiped.Elapsed;

        Assert.Equal(new RoomInfo(room, 0, 1, null), await api.Http.GetFromJsonAsync<RoomInfo>($"/rooms/{room}"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync($"/rooms/{room}/messages/2")).StatusCode);
        var reset = await client.NextAsync();
        Assert.Equal(("reset", $$"""{"roomId":"{{room}}","lastSeq":0}"""), (reset.EventType, reset.Data));

        // The room serves the empty log, so the next post goes into it at once, as seq 1 of a new epoch.
        var response = await api.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "new 1" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<ChatMessage>())!.Seq);
        var newEpoch = await api.EpochAsync(room);
        Assert.NotNull(newEpoch);
        Assert.NotEqual(oldEpoch, newEpoch);
        var next = await client.NextAsync();
        Assert.Equal(("chat", $"1-{newEpoch}"), (next.EventType, next.EventId));
        Assert.True(noticedAfter < TimeSpan.FromSeconds(10), $"the wipe was noticed after {noticedAfter}");
    }
}
