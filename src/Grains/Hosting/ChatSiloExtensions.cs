using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using OrleansChat.Telemetry;
using StackExchange.Redis;

namespace OrleansChat.Hosting;

public static class ChatSiloExtensions
{
    /// <summary>Silo failure detection (<see cref="ClusterMembershipOptions"/>), e.g. <c>Orleans:Membership:ProbeTimeout</c>.</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>
    /// Hosts a chat silo: clustering from <c>Orleans</c>, the room grains, their streams and their log.
    /// A room log registered before this call wins over the default of the clustering kind.
    /// </summary>
    public static IHostApplicationBuilder AddChatSilo(this IHostApplicationBuilder builder)
    {
        var cluster = builder.AddChatClusterOptions();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration(MembershipSection);
            switch (cluster.ClusterProvider)
            {
                case ClusteringKind.Localhost:
                    var primary = cluster.PrimarySiloPort == cluster.SiloPort
                        ? null
                        : new IPEndPoint(IPAddress.Loopback, cluster.PrimarySiloPort);
                    silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primary, cluster.ServiceId, cluster.ClusterId);
                    break;
                case ClusteringKind.Redis:
                    silo.AddChatRedis(builder.Configuration.GetChatRedisConfiguration(), cluster);
                    break;
                default:
                    throw new NotSupportedException($"Clustering '{cluster.ClusterProvider}' is not available in this build.");
            }

            silo.AddChatRooms();
            // Grain calls carry the caller's trace, so a post's span reaches the room's append.
            silo.AddActivityPropagation();
            // What the dashboard of any API node shows comes from every silo's own collector.
            silo.AddDashboard();
        });
        return builder;
    }

    /// <summary>
    /// A silo of a real cluster: membership, the room log and the stream pub-sub state all in Redis, so that any
    /// silo may die without taking a room's messages or the API nodes' subscriptions with it.
    /// </summary>
    private static void AddChatRedis(this ISiloBuilder silo, ConfigurationOptions redis, ChatClusterOptions cluster)
    {
        if (IPAddress.TryParse(cluster.AdvertisedHost, out var address))
        {
            silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort);
        }
        else
        {
            silo.ConfigureEndpoints(cluster.AdvertisedHost, cluster.SiloPort, cluster.GatewayPort);
        }

        silo.UseRedisClustering(o => o.ConfigurationOptions = redis.Clone());
        silo.AddRedisGrainStorage(ChatStreams.PubSubStore, o =>
        {
            o.ConfigurationOptions = redis.Clone();
            // Subscriptions name client ids of one cluster incarnation; a fresh ClusterId starts with none.
            o.GetStorageKey = (grainType, grainId) => $"{cluster.ServiceId}/{cluster.ClusterId}/pubsub/{grainId}/{grainType}";
        });
        silo.Services.TryAddSingleton<IRoomLog>(_ => new RedisRoomLog(redis.Clone(), $"{cluster.ServiceId}/room/"));
    }

    /// <summary>
    /// The room grains' services and streams, without clustering. The stream pub-sub store and the room log are in
    /// memory unless registered before.
    /// </summary>
    public static ISiloBuilder AddChatRooms(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<ChatHistoryOptions>()
            .BindConfiguration(ChatHistoryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        silo.Services.TryAddSingleton<IRoomLog, InMemoryRoomLog>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<RoomStoreMetrics>();

        if (!silo.Services.Any(s => s.IsKeyedService && s.ServiceType == typeof(IGrainStorage) && Equals(s.ServiceKey, ChatStreams.PubSubStore)))
        {
            silo.AddMemoryGrainStorage(ChatStreams.PubSubStore);
        }

        silo.AddMemoryStreams(ChatStreams.ProviderName, streams =>
        {
            // The default 100 ms queue poll would dominate post→browser latency (≈ 68 ms p50).
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10)));
        });
        return silo;
    }

    /// <summary>Binds and validates <c>Orleans</c>, and returns its values for wiring.</summary>
    public static ChatClusterOptions AddChatClusterOptions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatClusterOptions>()
            .BindConfiguration(ChatClusterOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder.Configuration.GetSection(ChatClusterOptions.SectionName).Get<ChatClusterOptions>() ?? new ChatClusterOptions();
    }

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
