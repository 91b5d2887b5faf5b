using OrleansChat.Cluster.Tests.Infrastructure;
using StackExchange.Redis;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// Chat:Durability:Replicas against real redis-servers: an append counts only once a replica confirms it (WAIT), and
/// one that no replica confirms in time fails instead of being acknowledged.
/// </summary>
public sealed class ReplicaConfirmedWritesTests : IAsyncLifetime
{
    private const string Epoch = "e1";

    private const string Prefix = "test/room/";
    private static readonly ChatDurabilityOptions OneReplica = new() { Replicas = 1, ReplicaTimeout = TimeSpan.FromMilliseconds(200) };
    private readonly RedisServer _primary = new();
    private readonly RedisServer _replica = new();
    private readonly string _room = $"r-{Guid.NewGuid():N}";

    public async Task InitializeAsync()
    {
        await _primary.InitializeAsync();
        await _replica.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _primary.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_replica_an_append_fails_after_the_replica_timeout()
    {
        await using var log = ReplicatedLog();

        var failure = await Assert.ThrowsAsync<ReplicationShortfallException>(() => log.AppendAsync(_room, Epoch, Messages(1, 3), 100));

        Assert.Contains("0 of the 1", failure.Message);
    }

    [Fact]
    public async Task With_a_replica_an_append_returns_once_the_replica_has_it_and_other_rooms_keep_appending_meanwhile()
    {
        await FollowPrimaryAsync();
        await using var log = ReplicatedLog();

        // More rooms than the writes have connections: each waits its turn, none waits on another's WAIT forever.
        var rooms = Enumerable.Range(0, 12).Select(i => $"{_room}-{i}").ToArray();
        await Task.WhenAll(rooms.Select(room => log.AppendAsync(room, Epoch, Messages(1, 3, room), 100)));

        await using var plain = new RedisRoomLog(_replica.Configuration.Clone(), Prefix);
        foreach (var room in rooms)
        {
            Assert.Equal(3, (await plain.ReadRecentAsync(room, 100)).LastSeq);
        }
    }

    private RedisRoomLog ReplicatedLog() =>
        new(_primary.Configuration.Clone(), Prefix, new ReplicaConfirmedWrites(_primary.Configuration.Clone(), OneReplica, $"{Prefix}replication-probe"));

    private async Task FollowPrimaryAsync()
    {
        var primary = (System.Net.IPEndPoint)_primary.Configuration.EndPoints[0];
        await _replica.Connection.GetDatabase().ExecuteAsync("REPLICAOF", "127.0.0.1", primary.Port);
        await Poll.UntilAsync(
            async () => ((string?)await _replica.Connection.GetDatabase().ExecuteAsync("INFO", "replication"))!.Contains("master_link_status:up"),
            "the replica follows the primary",
            TimeSpan.FromSeconds(30));
    }

    private RoomEvent[] Messages(long from, long to, string? room = null) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(seq => RoomEvent.Posted(
            new ChatMessage(room ?? _room, seq, "ann", $"message {seq}", DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + seq), $"ann-{seq}")))];
}
