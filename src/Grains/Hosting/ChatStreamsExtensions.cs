using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using OrleansChat.Streams;

namespace OrleansChat.Hosting;

/// <summary>
/// The rooms' stream provider (<see cref="ChatStreams.ProviderName"/>): the silos publish each room's events on it,
/// API nodes subscribe. Both sides must register it under the same name.
/// </summary>
public static class ChatStreamsExtensions
{
    /// <summary>
    /// Memory streams and their pub-sub store. With Redis clustering the store is in Redis, so that the API nodes'
    /// subscriptions outlive any one silo; otherwise in memory, like the rest of a one-machine cluster.
    /// </summary>
    public static ISiloBuilder AddChatStreams(this ISiloBuilder silo)
    {
        var cluster = ChatClusterOptions.From(silo.Configuration);
        if (cluster.ClusterProvider == ClusteringKind.Redis)
        {
            var redis = silo.Configuration.GetChatRedisConfiguration();
            silo.AddRedisGrainStorage(ChatStreams.PubSubStore, o =>
            {
                o.ConfigurationOptions = redis;
                // Subscriptions name client ids of one cluster incarnation; a fresh ClusterId starts with none.
                o.GetStorageKey = (grainType, grainId) => $"{cluster.ServiceId}/{cluster.ClusterId}/pubsub/{grainId}/{grainType}";
            });
        }
        else
        {
            silo.AddMemoryGrainStorage(ChatStreams.PubSubStore);
        }

        // Memory streams (what AddMemoryStreams registers), whose idle queues are not read by a grain call every poll.
        var streams = new SiloRecoverableStreamConfigurator(
            ChatStreams.ProviderName,
            configure => silo.ConfigureServices(configure),
            (services, name) => new IdleQueueAdapterFactory(
                MemoryAdapterFactory<DefaultMemoryMessageBodySerializer>.Create(services, name),
                services.GetRequiredService<IClusterMembershipService>()));
        streams.ConfigurePullingAgent(agent => agent.Configure(o =>
        {
            // The default 100 ms queue poll would dominate post→browser latency (≈ 68 ms p50).
            o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10);
            // Every poll walks the agent's table of streams, so a quiet room leaves it after a minute, not the default
            // 30: idle rooms would cost CPU at 100 polls a second. A room's next event looks its consumers up again.
            o.StreamInactivityPeriod = TimeSpan.FromMinutes(1);
        }));
        return silo;
    }

    /// <summary>The subscribing side: clients can only subscribe explicitly, which the API nodes' room feeds do.</summary>
    public static IClientBuilder AddChatStreams(this IClientBuilder client) => client.AddMemoryStreams(ChatStreams.ProviderName);
}
