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
        var nodes = new ApiNodes(
            LocalCluster.Nginx,
            Rooms.NodeServing,
            // Straight to the survivor: no post is caught by the kill, so none may fail.
            LocalCluster.AddressOf,
            async victim =>
            {
                var killedAt = DateTime.UtcNow;
                await cluster.KillAsync(victim);
                return killedAt;
            });

        var outcome = await ApiNodeKill.RunAsync(nodes, Rooms.NewId("api-kill"), Patience);

        Assert.Empty(outcome.FailedPosts);
        Measurements.Record(output, $"api node killed ({outcome.Victim}, {outcome.ClientsOnVictim} of {outcome.Clients} SSE clients on it): all resumed on {outcome.Survivor} within {outcome.Resumed.TotalSeconds:0.00} s (client reconnect delay 0.1 s); {outcome.LastSeq} messages, none lost or repeated");
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
