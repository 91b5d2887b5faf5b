using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansChat.Telemetry;

namespace OrleansChat.Hosting;

public static class ChatSiloExtensions
{
    /// <summary>
    /// Hosts a chat silo: clustering and streams from <c>Orleans</c>, the room grains and their log; grain calls carry
    /// their caller's trace, and the silo collects what the Orleans dashboard of any API node shows (unless
    /// <see cref="ChatDashboardSwitch"/> turns it off).
    /// </summary>
    public static IHostApplicationBuilder AddChatSilo(this IHostApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.AddChatClustering().AddChatStreams().AddChatRooms().AddActivityPropagation().AddChatDashboard());
        return builder;
    }

    /// <summary>
    /// The room grains' options and log, the silo's table of its rooms for the API nodes' feed checks and its table of
    /// the nodes' presence leases, without clustering or streams. The log follows the clustering: every
    /// room's messages in Redis with Redis clustering (a room reactivates on any silo with its history), in memory
    /// otherwise.
    /// </summary>
    /// <param name="roomLog">A log to use instead, e.g. one shared by the silos of an in-process test cluster.</param>
    public static ISiloBuilder AddChatRooms(this ISiloBuilder silo, IRoomLog? roomLog = null)
    {
        silo.Services.AddOptions<ChatHistoryOptions>()
            .BindConfiguration(ChatHistoryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        silo.Services.AddMetrics();
        silo.Services.TryAddSingleton<RoomStoreMetrics>();
        silo.Services.TryAddSingleton<HostedRooms>();
        silo.Services.TryAddSingleton<NodeLeases>();

        var cluster = ChatClusterOptions.From(silo.Configuration);
        if (roomLog is not null)
        {
            silo.Services.AddSingleton(roomLog);
        }
        else if (cluster.ClusterProvider == ClusteringKind.Redis)
        {
            var redis = silo.Configuration.GetChatRedisConfiguration().ForRoomLog();
            var durability = silo.Services.AddValidatedOptions<ChatDurabilityOptions>(silo.Configuration, ChatDurabilityOptions.SectionName);
            var keyPrefix = $"{cluster.ServiceId}/room/";
            silo.Services.AddSingleton<IRoomLog>(services => new RedisRoomLog(
                redis,
                keyPrefix,
                durability.Replicas > 0 ? new ReplicaConfirmedWrites(redis, durability, $"{keyPrefix}replication-probe") : null,
                services.GetRequiredService<IOptions<ChatHistoryOptions>>().Value.MaxAge));
        }
        else
        {
            silo.Services.AddSingleton<IRoomLog, InMemoryRoomLog>();
        }

        return silo;
    }
}
