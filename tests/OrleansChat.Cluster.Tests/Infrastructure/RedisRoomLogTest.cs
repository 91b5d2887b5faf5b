namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// A Redis room log on the class's redis-server, under a key prefix of the test class's own, and a room of each test's
/// own: tests of the log share the server without seeing each other's keys.
/// </summary>
public abstract class RedisRoomLogTest(RedisServer redis, string prefix) : IAsyncLifetime
{
    protected const string Epoch = "e1";

    protected RedisServer Redis => redis;

    protected string Prefix => prefix;

    protected string Room { get; } = $"r-{Guid.NewGuid():N}";

    protected RedisRoomLog Log { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Log = NewLog();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Log.DisposeAsync();

    /// <summary>Another log over the same keys, as a second silo (or a restarted one) would open it.</summary>
    protected RedisRoomLog NewLog(TimeSpan? expireIdleAfter = null) =>
        new(redis.Configuration.Clone(), prefix, expireIdleAfter: expireIdleAfter);
}
