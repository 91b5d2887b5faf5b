namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>How a deployment under test is reached and hurt: its balancer, which API node served a stream, and a kill.</summary>
/// <param name="PosterEntry">Where the poster posts, given the node that survives.</param>
/// <param name="Kill">Kills an API node ("api1" or "api2"); returns when it was killed.</param>
internal sealed record ApiNodes(
    Uri Nginx,
    Func<ResumingSseClient.Connection, string> NodeServing,
    Func<string, Uri> PosterEntry,
    Func<string, Task<DateTime>> Kill,
    TokenIssuer? Tokens = null);

/// <summary>
/// Four resuming SSE clients through nginx and a paced poster; the API node serving the first client is killed. The
/// verdict every deployment must meet: its clients receive again on a new connection to the survivor, each resuming
/// with a Last-Event-ID, the acknowledged seqs are 1..N, and every client has exactly those messages once, in order.
/// What happened to the posts caught by the kill is the caller's to judge (<see cref="Outcome.FailedPosts"/>).
/// </summary>
internal static class ApiNodeKill
{
    public sealed record Outcome(string Victim, string Survivor, int ClientsOnVictim, int Clients, DateTime KilledAt, TimeSpan Resumed, long LastSeq, Poster.Attempt[] FailedPosts);

    public static async Task<Outcome> RunAsync(ApiNodes nodes, string room, TimeSpan patience)
    {
        var clients = Enumerable.Range(0, 4).Select(_ => new ResumingSseClient(nodes.Nginx, room, "0", nodes.Tokens)).ToArray();
        try
        {
            await Poll.UntilAsync(() => clients.All(c => c.Connections.Count > 0), "every client is connected", patience);
            var victim = nodes.NodeServing(clients[0].Connections[0]);
            var survivor = victim == "api1" ? "api2" : "api1";
            var onVictim = clients.Where(c => nodes.NodeServing(c.Connections[0]) == victim).ToArray();

            using var poster = new Poster(nodes.PosterEntry(survivor), room, "ann", nodes.Tokens);
            using var stopPosting = new CancellationTokenSource();
            var posting = poster.RunAsync(stopPosting.Token, patience, pace: TimeSpan.FromMilliseconds(25));
            await Poll.UntilAsync(() => clients.All(c => c.HasSeen(5)), "every client has the first messages", patience);

            var killedAt = await nodes.Kill(victim);
            await Poll.UntilAsync(
                () => onVictim.All(c => c.Connections.Any(k => k.OpenedAt > killedAt && k.Received > 0)),
                $"the clients of {victim} receive again on a new connection", patience);
            var resumed = onVictim.Max(c => c.Connections.First(k => k.OpenedAt > killedAt && k.Received > 0).OpenedAt) - killedAt;

            var acknowledgedAtResume = poster.Acknowledged.Count;
            await Poll.UntilAsync(() => poster.Acknowledged.Count >= acknowledgedAtResume + 10, "ten more posts after the resume", patience);
            await stopPosting.CancelAsync();
            await posting;

            var lastSeq = poster.Acknowledged.Values.Max(m => m.Seq);
            Assert.Equal(Rooms.Seqs(1, lastSeq), poster.Acknowledged.Values.Select(m => m.Seq).Order());
            await Poll.UntilAsync(() => clients.All(c => c.HasSeen(lastSeq)), $"every client has seq {lastSeq}", patience);
            foreach (var client in clients)
            {
                Assert.True(Rooms.Seqs(1, lastSeq).SequenceEqual(client.Seqs), $"Expected 1..{lastSeq} once each, in order: {client.Describe()}");
                Assert.All(client.Messages, m => Assert.Equal(poster.Acknowledged[m.ClientMessageId!], m));
                Assert.Empty(client.OtherEvents);
            }

            foreach (var client in onVictim)
            {
                var after = client.Connections.Where(k => k.OpenedAt > killedAt && k.Received > 0).ToArray();
                Assert.All(after, k => Assert.Equal(survivor, nodes.NodeServing(k)));
                Assert.All(after, k => Assert.NotNull(k.LastEventIdSent));
            }

            var failed = poster.Attempts.Where(a => a.Status is not (200 or 201)).ToArray();
            return new Outcome(victim, survivor, onVictim.Length, clients.Length, killedAt, resumed, lastSeq, failed);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
