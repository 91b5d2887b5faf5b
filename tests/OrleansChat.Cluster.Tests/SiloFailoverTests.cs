using System.Net;
using System.Net.Http.Json;
using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>Silos crash; rooms come back on the others from Redis, and no acknowledged message is lost or repeated.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class SiloFailoverTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => cluster.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Killing_the_silo_of_a_busy_room_fails_posts_only_with_503_and_loses_no_acknowledged_message()
    {
        await using var load = new RoomUnderLoad("silo-kill", Patience);
        await load.StartAsync();

        var silo = await cluster.SiloHostingAsync(load.RoomId);
        var killRequestedAt = DateTime.UtcNow;
        await cluster.KillAsync(silo);
        // The silo died somewhere in between; only posts started after that tell whether the room is back.
        var killedAt = DateTime.UtcNow;
        var backAfter = await load.PostingResumedAsync(since: killedAt, from: killRequestedAt);
        await load.KeepPostingAsync(20);
        var lastSeq = await load.StopAndVerifyAsync();
        Assert.True(backAfter < TimeSpan.FromSeconds(15), $"The room accepted posts again only {backAfter.TotalSeconds:0.0} s after its silo was killed.");

        var attempts = load.Attempts;
        Measurements.Record(output, $"silo killed ({silo}) under load: room accepted posts again {backAfter.TotalSeconds:0.00} s after the kill command ({(killedAt - killRequestedAt).TotalSeconds:0.00} s of it until cluster.sh saw the process gone); {attempts.Count(a => a.Status == 503)} posts answered 503 (slowest {attempts.Max(a => a.Duration).TotalSeconds:0.00} s); {lastSeq} messages, none lost or repeated");
    }

    [Fact]
    public async Task After_every_silo_restarts_history_seq_and_dedupe_continue_from_redis_and_feeds_resubscribe()
    {
        var room = Rooms.NewId("restart");
        await using var client = new ResumingSseClient(LocalCluster.Nginx, room, "0");
        using var poster = new Poster(LocalCluster.Nginx, room, "ann");
        await Poll.UntilAsync(() => client.Connections.Count > 0, "the client is connected", Patience);
        for (var i = 0; i < 5; i++)
        {
            await poster.PostAsync(Patience);
        }

        await Poll.UntilAsync(() => client.HasSeen(5), "the client has 1..5", Patience);

        await cluster.KillAsync("silo1");
        await cluster.KillAsync("silo2");
        // The worst case for the API nodes: the silos also lost who subscribed to what (docs/architecture.md, invariant 6).
        Assert.True(await cluster.ForgetStreamSubscriptionsAsync() > 0, "The cluster's pub-sub state was not where expected in Redis.");
        // An API node that starts while no silo is up keeps trying and says so on /readyz instead of exiting.
        await cluster.KillAsync("api2");
        await cluster.StartAsync("api2", wait: false);
        using var api2 = new HttpClient
        {
            BaseAddress = LocalCluster.Api2,
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestHeaders = { Authorization = ClusterTokens.Bearer("ann") },
        };
        await Poll.UntilAsync(async () => await StatusAsync(api2, "/healthz") == HttpStatusCode.OK, "api2 is up without a cluster", Patience);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(api2, "/readyz"));
        using (var early = await api2.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "too early" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.NotNull(early.Headers.RetryAfter);
        }

        var restartedAt = DateTime.UtcNow;
        await cluster.StartAsync("silo1");
        await cluster.StartAsync("silo2");
        var next = await poster.PostAsync(Patience);
        var backAfter = DateTime.UtcNow - restartedAt;

        Assert.Equal(6, next.Seq);
        var fifth = poster.Acknowledged.Values.Single(m => m.Seq == 5);
        Assert.Equal(fifth, await poster.PostAsync(Patience, fifth.ClientMessageId));
        Assert.Equal(200, poster.Attempts.Last().Status);

        await Poll.UntilAsync(async () => await StatusAsync(api2, "/readyz") == HttpStatusCode.OK, "api2 joins the restarted cluster", Patience);
        using var viaApi2 = new Poster(LocalCluster.Api2, room, "bob");
        Assert.Equal(7, (await viaApi2.PostAsync(Patience)).Seq);

        var history = await Rooms.HistoryAsync(LocalCluster.Api1, room);
        Assert.Equal(Rooms.Seqs(1, 7), history.Select(m => m.Seq));
        Assert.Equal(poster.Acknowledged.Values.Concat(viaApi2.Acknowledged.Values).OrderBy(m => m.Seq), history);
        // Only the feed's watchdog can notice that its subscription is gone: no event will ever arrive on it.
        await Poll.UntilAsync(() => client.HasSeen(7), "the client connected all along has seq 7", Patience);
        Assert.True(Rooms.Seqs(1, 7).SequenceEqual(client.Seqs), client.Describe());

        Measurements.Record(output, $"all silos killed and restarted: first post accepted {backAfter.TotalSeconds:0.00} s after the restart began (both silos started one after the other)");
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
