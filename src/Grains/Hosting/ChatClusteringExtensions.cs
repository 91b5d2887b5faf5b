using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace OrleansChat.Hosting;

/// <summary>
/// How silos and clients find each other, from <c>Orleans</c> (<see cref="ChatClusterOptions"/>, plus
/// <see cref="ChatSiloOptions"/> or <see cref="ChatClientOptions"/>): one method per side, so both sides of a
/// cluster read the same keys the same way.
/// </summary>
public static class ChatClusteringExtensions
{
    /// <summary>Silo failure detection (<see cref="ClusterMembershipOptions"/>), e.g. <c>Orleans:Membership:ProbeTimeout</c>.</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>Grain call timeout of a client (<see cref="ClientMessagingOptions"/>), e.g. <c>Orleans:Messaging:ResponseTimeout</c>.</summary>
    public const string MessagingSection = "Orleans:Messaging";

    /// <summary>How a client finds gateways (<see cref="GatewayOptions"/>), e.g. <c>Orleans:Gateway:GatewayListRefreshPeriod</c>.</summary>
    public const string GatewaySection = "Orleans:Gateway";

    /// <summary>A silo's cluster identity, membership, endpoints and failure detection.</summary>
    public static ISiloBuilder AddChatClustering(this ISiloBuilder silo)
    {
        var cluster = silo.Services.AddValidatedOptions<ChatClusterOptions>(silo.Configuration, ChatClusterOptions.SectionName);
        var endpoints = silo.Services.AddValidatedOptions<ChatSiloOptions>(silo.Configuration, ChatSiloOptions.SectionName);
        silo.Configure<ClusterOptions>(o => Identify(o, cluster));
        silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration(MembershipSection);
        switch (cluster.ClusterProvider)
        {
            case ClusteringKind.Localhost:
                var primary = endpoints.PrimarySiloPort == endpoints.SiloPort
                    ? null
                    : new IPEndPoint(IPAddress.Loopback, endpoints.PrimarySiloPort);
                silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, primary, cluster.ServiceId, cluster.ClusterId);
                break;
            case ClusteringKind.Redis:
                if (IPAddress.TryParse(endpoints.AdvertisedHost, out var address))
                {
                    silo.ConfigureEndpoints(address, endpoints.SiloPort, endpoints.GatewayPort);
                }
                else
                {
                    silo.ConfigureEndpoints(endpoints.AdvertisedHost, endpoints.SiloPort, endpoints.GatewayPort);
                }

                var redis = silo.Configuration.GetChatRedisConfiguration();
                silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                break;
            default:
                throw NotAvailable(cluster);
        }

        return silo;
    }

    /// <summary>
    /// A client's cluster identity and membership, and a grain call timeout and gateway refresh fit for a client
    /// that must notice dead and new silos within seconds.
    /// </summary>
    public static IClientBuilder AddChatClustering(this IClientBuilder client)
    {
        var cluster = client.Services.AddValidatedOptions<ChatClusterOptions>(client.Configuration, ChatClusterOptions.SectionName);
        var gateways = client.Services.AddValidatedOptions<ChatClientOptions>(client.Configuration, ChatClientOptions.SectionName);
        client.Configure<ClusterOptions>(o => Identify(o, cluster));
        switch (cluster.ClusterProvider)
        {
            case ClusteringKind.Localhost:
                client.UseLocalhostClustering(gateways.GatewayPorts, cluster.ServiceId, cluster.ClusterId);
                break;
            case ClusteringKind.Redis:
                var redis = client.Configuration.GetChatRedisConfiguration();
                client.UseRedisClustering(o => o.ConfigurationOptions = redis);
                break;
            default:
                throw NotAvailable(cluster);
        }

        // A call to a grain on a silo that just died would otherwise wait the default 30 s; fail (503) sooner.
        client.Services.AddOptions<ClientMessagingOptions>()
            .Configure(o => o.ResponseTimeout = TimeSpan.FromSeconds(5))
            .BindConfiguration(MessagingSection);
        // Silos that (re)joined become gateways within this period instead of the default minute.
        client.Services.AddOptions<GatewayOptions>()
            .Configure(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
            .BindConfiguration(GatewaySection);
        return client;
    }

    private static void Identify(ClusterOptions options, ChatClusterOptions cluster)
    {
        options.ClusterId = cluster.ClusterId;
        options.ServiceId = cluster.ServiceId;
    }

    private static NotSupportedException NotAvailable(ChatClusterOptions cluster) =>
        new($"Clustering '{cluster.ClusterProvider}' is not available in this build.");
}
