using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

internal static class ChatRedisConfiguration
{
    /// <summary>
    /// <c>ConnectionStrings:Redis</c>, for clustering, the room log and the pub-sub store. Connections do not give up
    /// when Redis is briefly away at start: they keep retrying, as after any later outage.
    /// </summary>
    public static ConfigurationOptions GetChatRedisConfiguration(this IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("Orleans:ClusterProvider is Redis, but ConnectionStrings:Redis (e.g. 127.0.0.1:6379) is not set.");
        }

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>
    /// The room log's connection: while Redis is unreachable a command fails at once instead of waiting in the
    /// client's backlog for the 5 s timeout, so a post answers 503 promptly (its client retries with the same
    /// clientMessageId) rather than holding the room and its caller until both time out.
    /// </summary>
    public static ConfigurationOptions ForRoomLog(this ConfigurationOptions redis)
    {
        var options = redis.Clone();
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }
}
