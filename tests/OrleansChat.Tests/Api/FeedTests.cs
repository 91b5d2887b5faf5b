using Microsoft.Extensions.DependencyInjection;
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
