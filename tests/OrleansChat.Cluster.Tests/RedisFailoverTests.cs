using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The cluster in HA mode (<c>cluster.sh up --ha</c>: a Redis primary, a replica, three sentinels, and appends
/// confirmed by the replica): the primary dies under load, Sentinel promotes the replica, and no acknowledged
/// message is lost.
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class RedisFailoverTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => cluster.RestartAsync(ha: true);

    // The other tests expect the single Redis server.
    public Task DisposeAsync() => cluster.RestartAsync(ha: false);

    [Fact]
    public async Task Killing_the_Redis_primary_under_load_promotes_the_replica_and_loses_no_acknowledged_message()
    {
        await using var room = new RoomUnderLoad("primary-kill", Patience);
        await room.StartAsync();
        var primary = await LocalCluster.RedisPrimaryAsync();

        var killRequestedAt = DateTime.UtcNow;
        await cluster.KillAsync("redis");
        var killedAt = DateTime.UtcNow;
        var promoted = primary;
        await Poll.UntilAsync(async () => (promoted = await LocalCluster.RedisPrimaryAsync()) != primary, "the sentinels promote the replica", Patience);
        var promotedAfter = DateTime.UtcNow - killRequestedAt;
        // An append needs a replica to confirm it: the old primary comes back as the new one's replica.
        await cluster.StartAsync(primary);
        var restartedAfter = DateTime.UtcNow - killRequestedAt;
        var backAfter = await room.PostingResumedAsync(since: killedAt, from: killRequestedAt);
        await room.KeepPostingAsync(20);
        var lastSeq = await room.StopAndVerifyAsync();

        Assert.True(backAfter < TimeSpan.FromSeconds(30), $"Posting resumed only {backAfter.TotalSeconds:0.0} s after the primary was killed.");
        var failed = room.Attempts.Where(a => a.Status == 503).ToArray();
        Measurements.Record(output, $"redis primary ({primary}) killed under load with Chat:Durability:Replicas=1: sentinels promoted {promoted} {promotedAfter.TotalSeconds:0.00} s after the kill command; old primary back as replica at {restartedAfter.TotalSeconds:0.00} s; posting resumed {backAfter.TotalSeconds:0.00} s after the kill; {failed.Length} posts answered 503 (slowest answer {room.Attempts.Max(a => a.Duration).TotalSeconds:0.00} s); {lastSeq} messages, none lost or repeated");
    }
}
