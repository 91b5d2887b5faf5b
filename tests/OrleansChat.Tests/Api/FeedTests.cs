using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansChat.Api.Feeds;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class FeedTests
{
    private static string NewRoom() => $"feed-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_dropped_stream_event_is_filled_from_the_room_before_later_messages()
    {
        var dropper = new StreamEventDropper();
        await using var api = await StartAsync(dropper, checkIntervalSeconds: 3600);
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "m1");
        await client.WaitForSeqAsync(1);

        dropper.DropNext(room);
        await api.PostAsync(room, "ann", "m2 (its stream event is lost)");
        await api.PostAsync(room, "ann", "m3");
        await client.WaitForSeqAsync(3);

        Assert.Equal(1, dropper.Dropped);
        Assert.Equal([1, 2, 3], client.ChatSeqs);
    }

    [Fact]
    public async Task A_lost_last_event_in_a_quiet_room_is_delivered_by_the_feed_check()
    {
        var dropper = new StreamEventDropper();
        await using var api = await StartAsync(dropper, checkIntervalSeconds: 0.2);
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "m1");
        await client.WaitForSeqAsync(1);

        dropper.DropNext(room);
        await api.PostAsync(room, "ann", "m2 (nothing follows it)");
        await client.WaitForSeqAsync(2);

        Assert.Equal(1, dropper.Dropped);
        Assert.Equal([1, 2], client.ChatSeqs);
        await api.PostAsync(room, "ann", "m3 (after resubscribing)");
        await client.WaitForSeqAsync(3);
        Assert.Equal([1, 2, 3], client.ChatSeqs);
    }

    [Fact]
    public async Task A_room_quiet_for_longer_than_the_stream_inactivity_period_still_delivers()
    {
        await using var api = await ApiHost.StartAsync(
            new Dictionary<string, string?> { ["Chat:Feed:CheckIntervalSeconds"] = "0.5" },
            services => services.Configure<StreamPullingAgentOptions>(ChatStreams.ProviderName, o =>
            {
                o.StreamInactivityPeriod = TimeSpan.FromMilliseconds(300);
            }));
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "m1");
        await client.WaitForSeqAsync(1);

        // Past the inactivity period the pulling agent may forget the idle stream's consumers (orleans#8542).
        await Task.Delay(TimeSpan.FromSeconds(2));
        await api.PostAsync(room, "ann", "m2 after a quiet spell");
        await api.PostAsync(room, "ann", "m3");

        await client.WaitForSeqAsync(3);
        Assert.Equal([1, 2, 3], client.ChatSeqs);
    }

    [Fact]
    public async Task A_feed_whose_subscription_vanished_resubscribes_and_catches_up()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:Feed:CheckIntervalSeconds"] = "0.3" });
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "m1");
        await client.WaitForSeqAsync(1);

        // What lost pub-sub state looks like to the node: its subscription is simply gone.
        var stream = api.Services.GetRequiredService<IClusterClient>().GetStreamProvider(ChatStreams.ProviderName)
            .GetStream<RoomStreamEvent>(StreamId.Create(ChatStreams.RoomNamespace, room));
        var handles = await stream.GetAllSubscriptionHandles();
        Assert.Single(handles);
        await handles[0].UnsubscribeAsync();

        await api.PostAsync(room, "ann", "m2");
        await api.PostAsync(room, "ann", "m3");
        await client.WaitForSeqAsync(3);
        await api.PostAsync(room, "ann", "m4 on the new subscription");
        await client.WaitForSeqAsync(4);

        Assert.Equal([1, 2, 3, 4], client.ChatSeqs);
        Assert.Single(await stream.GetAllSubscriptionHandles());
    }

    [Fact]
    public async Task A_feed_that_fell_behind_the_retained_history_delivers_a_gap_then_everything_retained()
    {
        var dropper = new StreamEventDropper();
        await using var api = await ApiHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Chat:Feed:CheckIntervalSeconds"] = "3600",
                ["Chat:History:MaxMessages"] = "100",
            },
            services => services.AddSingleton<IOutgoingGrainCallFilter>(dropper));
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "m1");
        Assert.Equal(1, SseClient.SeqOf((await client.NextAsync()).EventId!));

        // The node hears nothing of 2..700 (more than a history page, and trimmed down to 601..700 meanwhile).
        dropper.DropNext(room, 699);
        for (var i = 2; i <= 700; i++)
        {
            await api.PostAsync(room, "ann", $"m{i}");
        }

        await api.PostAsync(room, "ann", "m701, the first the node hears of");
        var gap = await client.NextAsync();
        Assert.Equal("gap", gap.EventType);
        await client.WaitForSeqAsync(701);

        Assert.Equal(699, dropper.Dropped);
        Assert.Equal($$"""{"roomId":"{{room}}","from":2,"to":601}""", gap.Data);
        Assert.Equal([1, .. Enumerable.Range(602, 100).Select(i => (long)i)], client.ChatSeqs);
    }

    [Fact]
    public async Task Connections_to_a_room_share_one_feed_which_is_released_after_the_last_leaves()
    {
        await using var api = await StartAsync(new StreamEventDropper(), checkIntervalSeconds: 3600);
        var feeds = api.Services.GetRequiredService<RoomFeeds>();
        var room = NewRoom();
        var clients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => api.ConnectAsync(room)));
        await api.ConnectAsync(NewRoom()).ContinueWith(t => t.Result.DisposeAsync().AsTask()).Unwrap();

        Assert.True(feeds.TryGet(room, out var feed));
        await api.PostAsync(room, "ann", "to all five");
        foreach (var client in clients)
        {
            await client.WaitForSeqAsync(1);
        }

        for (var i = 0; i < clients.Length - 1; i++)
        {
            await clients[i].DisposeAsync();
        }

        Assert.True(feeds.TryGet(room, out var stillThere));
        Assert.Same(feed, stillThere);
        await clients[^1].DisposeAsync();
        await Eventually.TrueAsync(() => !feeds.TryGet(room, out _), "the room's feed was released");
        await Eventually.TrueAsync(() => feeds.Count == 0, "every feed was released");

        await using var again = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "to a new feed");
        await again.WaitForSeqAsync(2);
        Assert.Equal([2], again.ChatSeqs);
    }

    private static Task<ApiHost> StartAsync(StreamEventDropper dropper, double checkIntervalSeconds) =>
        ApiHost.StartAsync(
            new Dictionary<string, string?> { ["Chat:Feed:CheckIntervalSeconds"] = checkIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            services => services.AddSingleton<IOutgoingGrainCallFilter>(dropper));
}
