using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OrleansChat.Telemetry;

namespace OrleansChat.Silo;

/// <summary>A standalone silo has no web server: Prometheus scrapes it on its own port, <c>Chat:Metrics:Port</c>.</summary>
internal static class SiloTelemetry
{
    public static IHostApplicationBuilder AddSiloTelemetry(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ChatMetricsOptions.SectionName).Get<ChatMetricsOptions>() ?? new ChatMetricsOptions();
        builder.AddChatTelemetry(metrics =>
        {
            if (options.Port != 0)
            {
                metrics.AddPrometheusHttpListener(o =>
                {
                    o.Port = options.Port;
                    if (options.Host is "*" or "+")
                    {
                        // Every interface (a container's): HttpListener takes a wildcard prefix, the options' host name does not.
                        o.ConfigureHttpListener = (_, listener) =>
                        {
                            listener.Prefixes.Clear();
                            listener.Prefixes.Add($"http://+:{options.Port}/");
                        };
                    }
                    else
                    {
                        o.Host = options.Host;
                    }
                });
            }
        });
        return builder;
    }
}
