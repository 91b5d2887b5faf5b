using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Streams;
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

        var stream = await LoseSubscriptionAsync(api, room);

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

    [Fact]
    public async Task A_quiet_rooms_lost_subscription_is_found_once_the_room_stores_again_while_the_other_quiet_rooms_get_no_call()
    {
        var rounds = new WatchdogRounds();
        var calls = new RoomCalls();
        await using var api = await ApiHost.StartAsync(rounds.Settings, services => rounds.AddTo(services).AddSingleton<IIncomingGrainCallFilter>(calls));
        var quiet = Enumerable.Range(0, 20).Select(_ => NewRoom()).ToArray();
        var quietClients = await Task.WhenAll(quiet.Select(id => api.ConnectAsync(id)));
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await LoseSubscriptionAsync(api, room);
        await rounds.RunAsync(api);
        calls.Reset();

        await api.PostAsync(room, "ann", "m1, which no subscription hears");
        await rounds.RunAsync(api);
        Assert.Empty(client.ChatSeqs);
        // Still behind a seq it knew of a round ago, with nothing delivered since: lost.
        await rounds.RunAsync(api);
        await client.WaitForSeqAsync(1);
        await api.PostAsync(room, "ann", "m2, on the new subscription");
        await client.WaitForSeqAsync(2);
        await rounds.RunAsync(api);

        Assert.Equal([1, 2], client.ChatSeqs);
        Assert.Equal(0, calls.To(quiet));
        foreach (var quietClient in quietClients)
        {
            await quietClient.DisposeAsync();
        }
    }

    [Fact]
    public async Task When_the_clusters_silos_change_each_feed_asks_its_room_once()
    {
        var rounds = new WatchdogRounds();
        var calls = new RoomCalls();
        var clusterId = $"test-{Guid.NewGuid():N}";
        var siloPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var settings = rounds.Settings;
        settings["Orleans:ClusterId"] = clusterId;
        settings["Orleans:SiloPort"] = siloPort;
        settings["Orleans:PrimarySiloPort"] = siloPort;
        await using var api = await ApiHost.StartAsync(settings, services => rounds.AddTo(services).AddSingleton<IIncomingGrainCallFilter>(calls));
        var rooms = Enumerable.Range(0, 5).Select(_ => NewRoom()).ToArray();
        var clients = await Task.WhenAll(rooms.Select(id => api.ConnectAsync(id)));
        await rounds.RunAsync(api);
        calls.Reset();
        await rounds.RunAsync(api);
        Assert.Equal(0, calls.To(rooms));

        // A second embedded node joins the first's cluster: one silo more.
        await using (var joining = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:PrimarySiloPort"] = siloPort,
        }))
        {
            var management = api.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            await Eventually.TrueAsync(async () => (await management.GetHosts(onlyActive: true)).Count == 2, "the second silo joined");
            await rounds.RunAsync(api);
            Assert.All(rooms, id => Assert.Equal(1, calls.Of(id, nameof(IRoomGrain.GetInfo))));
            await rounds.RunAsync(api);
            Assert.Equal(rooms.Length, calls.To(rooms));
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    /// <summary>What lost pub-sub state looks like to the node: its subscription is simply gone.</summary>
    private static async Task<IAsyncStream<RoomStreamEvent>> LoseSubscriptionAsync(ApiHost api, string room)
    {
        var stream = api.Services.GetRequiredService<IClusterClient>().GetStreamProvider(ChatStreams.ProviderName)
            .GetStream<RoomStreamEvent>(StreamId.Create(ChatStreams.RoomNamespace, room));
        var handles = await stream.GetAllSubscriptionHandles();
        Assert.Single(handles);
        await handles[0].UnsubscribeAsync();
        return stream;
    }

    private static Task<ApiHost> StartAsync(StreamEventDropper dropper, double checkIntervalSeconds) =>
        ApiHost.StartAsync(
            new Dictionary<string, string?> { ["Chat:Feed:CheckIntervalSeconds"] = checkIntervalSeconds.ToString(CultureInfo.InvariantCulture) },
            services => services.AddSingleton<IOutgoingGrainCallFilter>(dropper));

    /// <summary>Calls the silo receives for room grains, per room and method.</summary>
    private sealed class RoomCalls : IIncomingGrainCallFilter
    {
        private readonly ConcurrentDictionary<(string Room, string Method), int> _calls = new();

        public int To(IEnumerable<string> rooms) => rooms.Sum(room => _calls.Where(c => c.Key.Room == room).Sum(c => c.Value));

        public int Of(string room, string method) => _calls.GetValueOrDefault((room, method));

        public void Reset() => _calls.Clear();

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.Grain is IRoomGrain)
            {
                _calls.AddOrUpdate((context.TargetId.Key.ToString()!, context.MethodName), 1, (_, n) => n + 1);
            }

            await context.Invoke();
        }
    }
}
