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
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.UseLocalhostClustering(cluster.GatewayPorts, cluster.ServiceId, cluster.ClusterId);
            client.AddMemoryStreams(ChatStreams.ProviderName);
        });
        return builder;
    }
}
