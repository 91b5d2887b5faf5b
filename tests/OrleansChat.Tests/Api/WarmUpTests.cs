using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Hosting;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class WarmUpTests
{
    [Fact]
    public async Task The_node_is_ready_once_its_warm_up_has_delivered_every_post_and_left_nothing_a_client_can_reach()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:WarmUp:Posts"] = "50",
            ["Chat:WarmUp:Streams"] = "2",
            // As shipped: the HTTP posts must fit the default post rate limit.
            ["Chat:WarmUp:HttpPosts"] = null,
            ["Chat:RateLimit:PostsPerSecond"] = null,
        });

        await Eventually.TrueAsync(async () => (await api.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "the node is ready");

        // Every post went through; its in-process streams have left the room's feed again.
        var grains = api.Services.GetRequiredService<IGrainFactory>();
        var room = grains.GetGrain<IRoomGrain>(PipelineWarmUp.RoomId);
        var rounds = api.Services.GetRequiredService<PipelineWarmUp>().Rounds;
        Assert.InRange(rounds, 1, new WarmUpOptions().MaxRounds);
        Assert.Equal(rounds * 50, (await room.GetInfo()).LastSeq);
        var httpRoom = api.Services.GetRequiredService<HttpWarmUp>().RoomId;
        Assert.Equal(rounds * new WarmUpOptions().HttpPosts, (await grains.GetGrain<IRoomGrain>(httpRoom).GetInfo()).LastSeq);
        Assert.Equal(0, api.Services.GetRequiredService<RoomFeeds>().Count);

        // No request can name the warm-up room.
        await ValidationTests.AssertProblemAsync(await api.Http.GetAsync($"/rooms/{PipelineWarmUp.RoomId}/messages"), 400);
        await ValidationTests.AssertProblemAsync(await api.Http.GetAsync($"/rooms/{PipelineWarmUp.RoomId}/events"), 400);
    }
}
