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
        var room = Rooms.NewId("compose-api");
        var clients = Enumerable.Range(0, 4).Select(_ => new ResumingSseClient(Nginx, room, "0", compose.Tokens)).ToArray();
        try
        {
            await Poll.UntilAsync(() => clients.All(c => c.Connections.Count > 0), "every client is connected", Patience);
            var victim = ComposeDeployment.NodeServing(clients[0].Connections[0]);
            var survivor = victim == "api1" ? "api2" : "api1";
            var onVictim = clients.Where(c => ComposeDeployment.NodeServing(c.Connections[0]) == victim).ToArray();

            // Through nginx, like everything else: a post caught on the killed node fails and is retried with its id.
            using var poster = new Poster(Nginx, room, "ann", compose.Tokens);
            using var stopPosting = new CancellationTokenSource();
            var posting = poster.RunAsync(stopPosting.Token, Patience, pace: TimeSpan.FromMilliseconds(25));
            await Poll.UntilAsync(() => clients.All(c => c.HasSeen(5)), "every client has the first messages", Patience);

            var killedAt = await compose.KillAsync(victim);
            await Poll.UntilAsync(
                () => onVictim.All(c => c.Connections.Any(k => k.OpenedAt > killedAt && k.Received > 0)),
                $"the clients of {victim} receive again on a new connection", Patience);
            var resumed = onVictim.Max(c => c.Connections.First(k => k.OpenedAt > killedAt && k.Received > 0).OpenedAt) - killedAt;

            var acknowledgedAtResume = poster.Acknowledged.Count;
            await Poll.UntilAsync(() => poster.Acknowledged.Count >= acknowledgedAtResume + 10, "ten more posts after the resume", Patience);
            await stopPosting.CancelAsync();
            await posting;

            var lastSeq = poster.Acknowledged.Values.Max(m => m.Seq);
            Assert.Equal(Rooms.Seqs(1, lastSeq), poster.Acknowledged.Values.Select(m => m.Seq).Order());
            var failed = poster.Attempts.Where(a => a.Status is not (200 or 201)).ToArray();
            Assert.True(failed.All(a => a.StartedAt < killedAt + resumed + TimeSpan.FromSeconds(1)), $"Posts failed after the clients had resumed: {string.Join("; ", failed)}");
            await Poll.UntilAsync(() => clients.All(c => c.HasSeen(lastSeq)), $"every client has seq {lastSeq}", Patience);
            foreach (var client in clients)
            {
                Assert.True(Rooms.Seqs(1, lastSeq).SequenceEqual(client.Seqs), $"Expected 1..{lastSeq} once each, in order: {client.Describe()}");
                Assert.All(client.Messages, m => Assert.Equal(poster.Acknowledged[m.ClientMessageId!], m));
                Assert.Empty(client.OtherEvents);
            }

            foreach (var client in onVictim)
            {
                var after = client.Connections.Where(k => k.OpenedAt > killedAt && k.Received > 0).ToArray();
                Assert.All(after, k => Assert.Equal(survivor, ComposeDeployment.NodeServing(k)));
                Assert.All(after, k => Assert.NotNull(k.LastEventIdSent));
            }

            Measurements.Record(output, $"compose: api container killed ({victim}, {onVictim.Length} of {clients.Length} SSE clients on it): all resumed through nginx on {survivor} within {resumed.TotalSeconds:0.00} s (client reconnect delay 0.1 s); {(failed.Length == 0 ? "no post caught by the kill" : $"{failed.Length} posts caught by the kill (status {string.Join(", ", failed.Select(a => a.Status))}) retried")}; {lastSeq} messages, none lost or repeated");
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
