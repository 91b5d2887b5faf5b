using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The deployment users run, docker-compose.yml, built and started for real: chat through nginx on 127.0.0.1:8080,
/// and containers killed under it without losing a message.
/// </summary>
[Collection(ComposeDeploymentCollection.Name)]
public sealed class ComposeDeploymentTests(ComposeDeployment compose, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Uri Nginx = ComposeDeployment.Nginx;

    public Task InitializeAsync() => compose.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_post_arrives_over_sse_and_a_client_resumes_with_last_event_id_through_nginx()
    {
        var room = Rooms.NewId("compose");
        using var poster = new Poster(Nginx, room, "ann", compose.Tokens);
        var first = new ResumingSseClient(Nginx, room, "0", compose.Tokens);
        try
        {
            await Poll.UntilAsync(() => first.Connections.Count > 0, "the first client is connected", Patience);
            for (var i = 0; i < 3; i++)
            {
                await poster.PostAsync(Patience);
            }

            await Poll.UntilAsync(() => first.HasSeen(3), "the first client has 1..3", Patience);
        }
        finally
        {
            await first.DisposeAsync();
        }

        for (var i = 0; i < 3; i++)
        {
            await poster.PostAsync(Patience);
        }

        await using var resumed = new ResumingSseClient(Nginx, room, "3", compose.Tokens);
        await Poll.UntilAsync(() => resumed.HasSeen(6), "the resumed client has 4..6", Patience);
        Assert.Equal(7, (await poster.PostAsync(Patience)).Seq);
        await Poll.UntilAsync(() => resumed.HasSeen(7), "the resumed client has live seq 7", Patience);

        Assert.Equal([1L, 2, 3], first.Seqs);
        Assert.Equal([4L, 5, 6, 7], resumed.Seqs);
        Assert.Equal(poster.Acknowledged.Values.OrderBy(m => m.Seq), first.Messages.Concat(resumed.Messages));
        Assert.Equal(7, (await Rooms.InfoAsync(Nginx, room, compose.Tokens)).LastSeq);
    }

    [Fact]
    public async Task Sse_clients_of_a_killed_api_container_resume_through_nginx_with_every_message_once_in_order()
    {
        // Through nginx, like everything else: a post caught on the killed node fails and is retried with its id.
        var nodes = new ApiNodes(Nginx, ComposeDeployment.NodeServing, _ => Nginx, compose.KillAsync, compose.Tokens);

        var outcome = await ApiNodeKill.RunAsync(nodes, Rooms.NewId("compose-api"), Patience);

        var failed = outcome.FailedPosts;
        Assert.True(failed.All(a => a.StartedAt < outcome.KilledAt + outcome.Resumed + TimeSpan.FromSeconds(1)), $"Posts failed after the clients had resumed: {string.Join("; ", failed)}");
        Measurements.Record(output, $"compose: api container killed ({outcome.Victim}, {outcome.ClientsOnVictim} of {outcome.Clients} SSE clients on it): all resumed through nginx on {outcome.Survivor} within {outcome.Resumed.TotalSeconds:0.00} s (client reconnect delay 0.1 s); {(failed.Length == 0 ? "no post caught by the kill" : $"{failed.Length} posts caught by the kill (status {string.Join(", ", failed.Select(a => a.Status))}) retried")}; {outcome.LastSeq} messages, none lost or repeated");
    }

    [Fact]
    public async Task Killing_the_silo_container_of_a_busy_room_fails_posts_only_with_503_and_loses_nothing()
    {
        await using var load = new RoomUnderLoad("compose-silo", Patience, entry: LoadEntryPoints.NginxOnly(Nginx, compose.Tokens));
        var silo = await compose.SiloHostingAsync(load.RoomId, load.PostOnceAsync);
        await load.StartAsync();

        var killRequestedAt = await compose.KillAsync(silo);
        // The silo died somewhere in between; only posts started after that tell whether the room is back.
        var killedAt = DateTime.UtcNow;
        var backAfter = await load.PostingResumedAsync(since: killedAt, from: killRequestedAt);
        await load.KeepPostingAsync(20);
        var lastSeq = await load.StopAndVerifyAsync();
        Assert.True(backAfter < TimeSpan.FromSeconds(20), $"The room accepted posts again only {backAfter.TotalSeconds:0.0} s after its silo container was killed.");

        var attempts = load.Attempts;
        Measurements.Record(output, $"compose: silo container killed ({silo}) under load: room accepted posts again {backAfter.TotalSeconds:0.00} s after the kill command ({(killedAt - killRequestedAt).TotalSeconds:0.00} s of it in docker kill); {attempts.Count(a => a.Status == 503)} posts answered 503 (slowest {attempts.Max(a => a.Duration).TotalSeconds:0.00} s); {lastSeq} messages, none lost or repeated");
    }
}
