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
}
