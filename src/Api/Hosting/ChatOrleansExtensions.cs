using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansChat.Hosting;

namespace OrleansChat.Api.Hosting;

public enum ApiMode
{
    /// <summary>A silo in this process with localhost clustering and the in-memory room log.</summary>
    Embedded,

    /// <summary>An Orleans client of an external silo cluster.</summary>
    Client,
}

public static class ChatOrleansExtensions
{
    /// <summary>Grain call timeout of a client node (<see cref="ClientMessagingOptions"/>), e.g. <c>Orleans:Messaging:ResponseTimeout</c>.</summary>
    public const string MessagingSection = "Orleans:Messaging";

    /// <summary>How a client node finds gateways (<see cref="GatewayOptions"/>), e.g. <c>Orleans:Gateway:GatewayListRefreshPeriod</c>.</summary>
    public const string GatewaySection = "Orleans:Gateway";

    /// <summary>Connects the API to rooms: a co-hosted silo (<c>Chat:Mode=Embedded</c>) or a cluster client.</summary>
    public static WebApplicationBuilder AddChatOrleans(this WebApplicationBuilder builder)
    {
        var mode = builder.Configuration.GetValue("Chat:Mode", ApiMode.Embedded);
        if (mode == ApiMode.Embedded)
        {
            builder.AddChatSilo();
            return builder;
        }

        var cluster = builder.AddChatClusterOptions();
        var redis = cluster.ClusterProvider == ClusteringKind.Redis ? builder.Configuration.GetChatRedisConfiguration() : null;
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (redis is not null)
            {
                client.UseRedisClustering(o => o.ConfigurationOptions = redis);
            }
            else
            {
                client.UseLocalhostClustering(cluster.GatewayPorts, cluster.ServiceId, cluster.ClusterId);
            }

            // A post to a room on a silo that just died would otherwise wait the default 30 s; answer 503 sooner.
            client.Services.AddOptions<ClientMessagingOptions>()
                .Configure(o => o.ResponseTimeout = TimeSpan.FromSeconds(5))
                .BindConfiguration(MessagingSection);
            // Silos that (re)joined become gateways within this period instead of the default minute.
            client.Services.AddOptions<GatewayOptions>()
                .Configure(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
                .BindConfiguration(GatewaySection);
            client.UseConnectionRetryFilter<RetryForeverConnectionFilter>();
            client.AddMemoryStreams(ChatStreams.ProviderName);
            client.AddActivityPropagation();
            // The dashboard's pages ask the silos, which collect for it (AddChatSilo).
            client.AddDashboard();
        });

        // Kestrel must answer (/healthz 200, /readyz 503, requests 503) while the client is still looking for a
        // cluster, rather than the process waiting for one or giving up.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        return builder;
    }

}
