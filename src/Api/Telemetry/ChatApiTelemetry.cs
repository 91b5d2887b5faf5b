using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansChat.Telemetry;

namespace OrleansChat.Api.Telemetry;

/// <summary>An API node's metrics and traces: the shared chat telemetry plus ASP.NET Core's, served at <c>/metrics</c>.</summary>
public static class ChatApiTelemetry
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddChatApiTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatMetrics>();
        builder.AddChatTelemetry(
            exportMetrics: metrics => metrics.AddPrometheusExporter(),
            // Request duration and counts by route and status, open connections and TLS from Kestrel, rate limiting.
            moreMetrics: metrics => metrics.AddAspNetCoreInstrumentation(),
            moreTracing: tracing => tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsScrape(http)));
        return builder;
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus text) when metrics are on.</summary>
    public static WebApplication MapChatTelemetry(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ChatMetricsOptions>>().Value.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath);
        }

        return app;
    }

    private static bool IsScrape(HttpContext http) => http.Request.Path.StartsWithSegments(MetricsPath);
}
