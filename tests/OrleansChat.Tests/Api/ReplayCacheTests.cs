using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Api.Feeds;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>Resumes served from the frames the node's feed already encoded, with the room asked only where history starts.</summary>
public sealed class ReplayCacheTests
{
    [Fact]
    public async Task A_herd_resuming_what_the_node_delivered_live_gets_it_all_without_reading_history()
    {
        var histories = new RoomCallCounter(nameof(IRoomGrain.GetEvents));
        await using var api = await StartAsync(histories);
        var room = $"cache-{Guid.NewGuid():N}";
        await using var live = await api.ConnectAsync(room);
        for (var i = 1; i <= 300; i++)
        {
            await api.PostAsync(room, "ann", $"m{i}");
        }

        await live.WaitForSeqAsync(300);
        histories.Reset();

        var herd = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => api.ConnectAsync(room, lastEventId: "0")));
        await api.PostAsync(room, "ann", "m301");
        foreach (var client in herd)
        {
            await client.WaitForSeqAsync(301);
            Assert.Equal(Enumerable.Range(1, 301).Select(i => (long)i), client.ChatSeqs);
            await client.DisposeAsync();
        }

        Assert.Equal(0, histories.Count);
    }

    [Fact]
    public async Task A_resume_from_the_cache_still_announces_a_gap_for_what_the_room_has_trimmed()
    {
        var histories = new RoomCallCounter(nameof(IRoomGrain.GetEvents));
        await using var api = await StartAsync(histories, ("Chat:History:MaxMessages", "50"));
        var room = $"cache-{Guid.NewGuid():N}";
        await using var live = await api.ConnectAsync(room);
        for (var i = 1; i <= 60; i++)
        {
            await api.PostAsync(room, "ann", $"m{i}");
        }

        await live.WaitForSeqAsync(60);
        histories.Reset();

        await using var client = await api.ConnectAsync(room, lastEventId: "3");
        var gap = await client.NextAsync();
        await client.WaitForSeqAsync(60);

        Assert.Equal("gap", gap.EventType);
        Assert.Equal($$"""{"roomId":"{{room}}","from":4,"to":10}""", gap.Data);
        Assert.Equal(Enumerable.Range(11, 50).Select(i => (long)i), client.ChatSeqs);
        Assert.Equal(0, histories.Count);
    }

    [Fact]
    public async Task A_herd_resuming_a_backlog_the_node_never_saw_gets_it_whole_through_shared_reads_and_cached_frames()
    {
        var histories = new RoomCallCounter(nameof(IRoomGrain.GetEvents));
        await using var api = await StartAsync(histories);
        var room = $"cache-{Guid.NewGuid():N}";
        await Task.WhenAll(Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            for (var i = p; i < 600; i += 8)
            {
                await api.PostAsync(room, $"u{p}", $"m{i}");
            }
        })));
        histories.Reset();

        var herd = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.ConnectAsync(room, lastEventId: "0")));
        foreach (var client in herd)
        {
            await client.WaitForSeqAsync(600);
            Assert.Equal(Enumerable.Range(1, 600).Select(i => (long)i), client.ChatSeqs);
            await client.DisposeAsync();
        }

        // How many reads the herd shared depends on how its connections interleave; that sharing happens at all
        // is the next test's.
        Assert.True(histories.Count > 0);
    }

    [Fact]
    public async Task Concurrent_readers_of_one_history_page_share_one_read()
    {
        var histories = new RoomCallCounter(nameof(IRoomGrain.GetEvents));
        await using var api = await StartAsync(histories);
        var room = $"cache-{Guid.NewGuid():N}";
        await api.PostAsync(room, "ann", "m1");
        await using var live = await api.ConnectAsync(room);
        Assert.True(api.Services.GetRequiredService<RoomFeeds>().TryGet(room, out var feed));
        histories.Reset();

        var pages = await Task.WhenAll(feed!.ReplayPages.ReadAfterAsync(null, 0), feed.ReplayPages.ReadAfterAsync(null, 0), feed.ReplayPages.ReadAfterAsync(null, 1));

        Assert.Equal([1L], pages[0].Frames.Select(f => f.LastSeq));
        Assert.Equal([1L], pages[1].Frames.Select(f => f.LastSeq));
        Assert.Empty(pages[2].Frames);
        Assert.Equal(2, histories.Count);
        // A finished read is not reused (seq 1 is now among the node's frames; seq 2 never is).
        await feed.ReplayPages.ReadAfterAsync(pages[0].Epoch, 1);
        Assert.Equal(3, histories.Count);
    }

    [Fact]
    public async Task A_resume_below_what_the_node_holds_reads_history_and_misses_nothing()
    {
        var histories = new RoomCallCounter(nameof(IRoomGrain.GetEvents));
        await using var api = await StartAsync(histories);
        var room = $"cache-{Guid.NewGuid():N}";
        for (var i = 1; i <= 20; i++)
        {
            await api.PostAsync(room, "ann", $"before the node listened {i}");
        }

        await using var live = await api.ConnectAsync(room);
        for (var i = 21; i <= 40; i++)
        {
            await api.PostAsync(room, "ann", $"m{i}");
        }

        await live.WaitForSeqAsync(40);
        histories.Reset();

        await using var client = await api.ConnectAsync(room, lastEventId: "5");
        await client.WaitForSeqAsync(40);

        Assert.Equal(Enumerable.Range(6, 35).Select(i => (long)i), client.ChatSeqs);
        Assert.True(histories.Count > 0);
    }

    private static Task<ApiHost> StartAsync(RoomCallCounter counter, params (string Key, string Value)[] settings) =>
        ApiHost.StartAsync(
            settings.ToDictionary(s => s.Key, s => (string?)s.Value),
            services => services.AddSingleton<IIncomingGrainCallFilter>(counter));
}
