using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansChat.Telemetry;

namespace OrleansChat.Api.Telemetry;

/// <summary>An API node's metrics and traces: the shared chat telemetry plus ASP.NET Core's, served at <c>/metrics</c>.</summary>
public static class ChatApiTelemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Request duration and counts by route and status, Kestrel's connections, rate limiting, unhandled exceptions.
    /// Not <c>AddAspNetCoreInstrumentation()</c>: it also turns on the routing, authentication, authorization and
    /// memory-pool instruments, recorded on every request or buffer, which cost a room of small posts a measurable
    /// share of its CPU per post (docs/benchmarks.md) and tell an operator nothing the status codes do not.
    /// </summary>
    private static readonly string[] AspNetCoreMeters =
    [
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
    ];

    public static WebApplicationBuilder AddChatApiTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChatMetrics>();
        builder.AddChatTelemetry(
            exportMetrics: metrics => metrics.AddPrometheusExporter(),
            moreMetrics: metrics => metrics.AddMeter(AspNetCoreMeters),
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
