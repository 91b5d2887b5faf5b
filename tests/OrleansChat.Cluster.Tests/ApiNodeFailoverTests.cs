using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>Two API nodes behind nginx: any node can serve any reconnect, and losing a node loses no message.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ApiNodeFailoverTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => cluster.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Sse_clients_of_a_killed_api_node_resume_through_nginx_with_every_message_once_in_order()
    {
        var room = Rooms.NewId("api-kill");
        var clients = Enumerable.Range(0, 4).Select(_ => new ResumingSseClient(LocalCluster.Nginx, room, "0")).ToArray();
        try
        {
            await Poll.UntilAsync(() => clients.All(c => c.Connections.Count > 0), "every client is connected", Patience);
            var victim = Rooms.NodeServing(clients[0].Connections[0]);
            var survivor = victim == "api1" ? "api2" : "api1";
            var onVictim = clients.Where(c => Rooms.NodeServing(c.Connections[0]) == victim).ToArray();

            using var poster = new Poster(LocalCluster.AddressOf(survivor), room, "ann");
            using var stopPosting = new CancellationTokenSource();
            var posting = poster.RunAsync(stopPosting.Token, Patience, pace: TimeSpan.FromMilliseconds(25));
            await Poll.UntilAsync(() => clients.All(c => c.HasSeen(5)), "every client has the first messages", Patience);

            var killedAt = DateTime.UtcNow;
            await cluster.KillAsync(victim);
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
            Assert.All(poster.Attempts, a => Assert.Equal(201, a.Status));
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
                Assert.All(after, k => Assert.Equal(survivor, Rooms.NodeServing(k)));
                Assert.All(after, k => Assert.NotNull(k.LastEventIdSent));
            }

            Measurements.Record(output, $"api node killed ({victim}, {onVictim.Length} of {clients.Length} SSE clients on it): all resumed on {survivor} within {resumed.TotalSeconds:0.00} s (client reconnect delay 0.1 s); {lastSeq} messages, none lost or repeated");
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
    public async Task A_client_resumes_on_the_node_it_was_not_on_and_gets_exactly_what_it_missed()
    {
        var room = Rooms.NewId("resume");
        using var poster = new Poster(LocalCluster.Nginx, room, "ann");

        var first = new ResumingSseClient(LocalCluster.Nginx, room, "0");
        string firstNode;
        try
        {
            await Poll.UntilAsync(() => first.Connections.Count > 0, "the first client is connected", Patience);
            firstNode = Rooms.NodeServing(first.Connections[0]);
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

        var otherNode = firstNode == "api1" ? "api2" : "api1";
        await using var resumed = new ResumingSseClient(LocalCluster.AddressOf(otherNode), room, "3");
        await Poll.UntilAsync(() => resumed.HasSeen(6), "the resumed client has 4..6", Patience);
        using var posterOnFirstNode = new Poster(LocalCluster.AddressOf(firstNode), room, "bob");
        Assert.Equal(7, (await posterOnFirstNode.PostAsync(Patience)).Seq);
        await Poll.UntilAsync(() => resumed.HasSeen(7), "the resumed client has live seq 7", Patience);

        Assert.Equal([1L, 2, 3], first.Seqs);
        Assert.Equal([4L, 5, 6, 7], resumed.Seqs);
        Assert.Single(resumed.Connections);
        Assert.Equal(7, (await Rooms.InfoAsync(LocalCluster.Api1, room)).LastSeq);
        Assert.Equal(7, (await Rooms.InfoAsync(LocalCluster.Api2, room)).LastSeq);
    }
}
