using OrleansChat.Hosting;

namespace OrleansChat.Api.Hosting;

public enum ApiMode
{
    /// <summary>A silo in this process, from the same <c>Orleans</c> settings as a standalone one.</summary>
    Embedded,

    /// <summary>An Orleans client of an external silo cluster.</summary>
    Client,
}

public static class ChatOrleansExtensions
{
    /// <summary>Connects the API to rooms: a co-hosted silo (<c>Chat:Mode=Embedded</c>) or a cluster client.</summary>
    public static WebApplicationBuilder AddChatOrleans(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue("Chat:Mode", ApiMode.Embedded) == ApiMode.Embedded)
        {
            builder.AddChatSilo();
            return builder;
        }

        builder.UseOrleansClient(client => client
            .AddChatClustering()
            .AddChatStreams()
            .UseConnectionRetryFilter<RetryForeverConnectionFilter>()
            // Grain calls carry the request's trace; the dashboard's pages ask the silos, which collect for it.
            .AddActivityPropagation()
            .AddChatDashboard());

        // Kestrel must answer (/healthz 200, /readyz 503, requests 503) while the client is still looking for a
        // cluster, rather than the process waiting for one or giving up.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        return builder;
    }
}
