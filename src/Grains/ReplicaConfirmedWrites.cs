using StackExchange.Redis;

namespace OrleansChat;

/// <summary>
/// Writes that count only once replicas confirm them (Redis <c>WAIT</c>). <c>WAIT</c> blocks the connection it runs
/// on and confirms only the writes made on that connection, so these writes do not share the room log's multiplexed
/// connection: they take turns on a few connections of their own, each write followed by its <c>WAIT</c>.
/// </summary>
public sealed class ReplicaConfirmedWrites : IAsyncDisposable
{
    // Rooms batch their posts while an append is in flight, so a few lanes keep many rooms busy; each is a connection
    // that also follows Sentinel on its own.
    private const int LaneCount = 2;

    private readonly Lane[] _lanes;
    private readonly int _replicas;
    private readonly TimeSpan _timeout;
    private readonly RedisKey _probeKey;
    private int _next;

    /// <param name="redis">Where the primary is (directly, or through Sentinel).</param>
    /// <param name="probeKey">A key that <see cref="ConfirmEarlierWritesAsync"/> may write to.</param>
    public ReplicaConfirmedWrites(ConfigurationOptions redis, ChatDurabilityOptions durability, string probeKey)
    {
        _replicas = durability.Replicas;
        _timeout = durability.ReplicaTimeout;
        _probeKey = probeKey;
        _lanes = Enumerable.Range(0, LaneCount).Select(_ => new Lane(ConnectionMultiplexer.ConnectAsync(redis.Clone()))).ToArray();
    }

    /// <summary>Runs the script on the primary, then waits until the replicas have it too.</summary>
    public Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values) =>
        OnALaneAsync(database => database.ScriptEvaluateAsync(script, keys, values, CommandFlags.DemandMaster));

    /// <summary>
    /// Returns once the replicas have every write the primary had before this call, whoever made it: Redis replicates
    /// one ordered stream, so confirming a write of this connection confirms everything before it. A room confirms
    /// before it loads, so that it never serves a write that was never acknowledged and could still be lost.
    /// </summary>
    public Task ConfirmEarlierWritesAsync() =>
        OnALaneAsync(database => database.StringIncrementAsync(_probeKey, flags: CommandFlags.DemandMaster));

    private async Task<T> OnALaneAsync<T>(Func<IDatabase, Task<T>> write)
    {
        var lane = _lanes[(int)((uint)Interlocked.Increment(ref _next) % LaneCount)];
        await lane.Turn.WaitAsync();
        try
        {
            var database = (await lane.Connection).GetDatabase();
            // Not pipelined: a script the server no longer knows is sent again after a NOSCRIPT, and WAIT must follow
            // whatever was sent.
            var result = await write(database);
            var confirmed = (long)await database.ExecuteAsync("WAIT", [_replicas, (long)_timeout.TotalMilliseconds], CommandFlags.DemandMaster);
            if (confirmed < _replicas)
            {
                throw new ReplicationShortfallException(_replicas, confirmed, _timeout);
            }

            return result;
        }
        finally
        {
            lane.Turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes)
        {
            if (lane.Connection.IsCompletedSuccessfully)
            {
                await lane.Connection.Result.DisposeAsync();
            }

            lane.Turn.Dispose();
        }
    }

    private sealed record Lane(Task<ConnectionMultiplexer> Connection)
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);
    }
}
