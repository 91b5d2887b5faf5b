using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// Redis goes away under load and comes back: posts fail fast with 503 meanwhile, and afterwards the cluster serves
/// again by itself, with no acknowledged message lost or repeated.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class RedisOutageTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(10);

    // The API's grain call timeout (Orleans:Messaging:ResponseTimeout, 5 s), plus room for a loaded machine.
    private static readonly TimeSpan PromptAnswer = TimeSpan.FromSeconds(7);

    private static readonly string[] OrleansNodes = ["silo1", "silo2", "api1", "api2"];

    public Task InitializeAsync() => cluster.EnsureUpAsync();

    // Whatever happened, later tests need Redis back.
    public Task DisposeAsync() => cluster.EnsureUpAsync();

    [Fact]
    public async Task While_Redis_is_stopped_posts_answer_503_promptly_and_afterwards_nothing_acknowledged_is_lost()
    {
        await using var room = new RoomUnderLoad("redis-outage", Patience);
        var pids = OrleansNodes.ToDictionary(node => node, LocalCluster.ProcessId);
        await room.StartAsync();

        var stopRequestedAt = DateTime.UtcNow;
        await cluster.StopAsync("redis");
        var stoppedAt = DateTime.UtcNow;
        await Task.Delay(Outage);
        var duringOutage = room.Attempts.Where(a => a.StartedAt > stoppedAt && a.StartedAt + a.Duration < DateTime.UtcNow).ToArray();

        var startRequestedAt = DateTime.UtcNow;
        await cluster.StartAsync("redis");
        var backAfter = await room.PostingResumedAsync(since: startRequestedAt, from: startRequestedAt);
        await room.KeepPostingAsync(20);
        var lastSeq = await room.StopAndVerifyAsync();

        Assert.True(duringOutage.Length > 0 && duringOutage.All(a => a.Status == 503), $"Posts made while Redis was away must answer 503: {string.Join("; ", duringOutage.Where(a => a.Status != 503).Take(3))}");
        var slow = room.Attempts.Where(a => a.Duration > PromptAnswer).ToArray();
        Assert.True(slow.Length == 0, $"Every post must be answered within {PromptAnswer.TotalSeconds:0} s: {slow.Length} were slower, e.g. {string.Join("; ", slow.Take(3))}");
        Assert.True(backAfter < TimeSpan.FromSeconds(10), $"Posting resumed only {backAfter.TotalSeconds:0.0} s after Redis was back.");

        await Poll.UntilAsync(async () => await cluster.ActiveSiloCountAsync() == 2, "both silos are active members", Patience);
        Assert.Equal(pids, OrleansNodes.ToDictionary(node => node, LocalCluster.ProcessId));

        var failed = room.Attempts.Where(a => a.Status == 503).ToArray();
        Measurements.Record(output, $"redis stopped for {Outage.TotalSeconds:0} s under load (stop took {(stoppedAt - stopRequestedAt).TotalSeconds:0.00} s): posting resumed {backAfter.TotalSeconds:0.00} s after the start command; {failed.Length} posts answered 503 (slowest answer {room.Attempts.Max(a => a.Duration).TotalSeconds:0.00} s, slowest during the outage {duringOutage.Max(a => a.Duration).TotalSeconds:0.00} s); {lastSeq} messages, none lost or repeated; no process restarted");
    }
}
