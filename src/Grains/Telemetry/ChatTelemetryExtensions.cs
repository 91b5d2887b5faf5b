using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrleansChat.Telemetry;

public static class ChatTelemetryExtensions
{
    /// <summary>The standard variable that switches the OTLP exporter on (traces, metrics and logs).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry for any chat process, API node or silo: the <c>OrleansChat</c> and Orleans meters and .NET runtime
    /// metrics, exported by <paramref name="exportMetrics"/> (a Prometheus endpoint); with
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, also traces of the chat and Orleans and everything over OTLP.
    /// Returns false, and adds nothing, when <c>Chat:Metrics:Enabled</c> is false.
    /// </summary>
    public static bool AddChatTelemetry(
        this IHostApplicationBuilder builder,
        Action<MeterProviderBuilder> exportMetrics,
        Action<MeterProviderBuilder>? moreMetrics = null,
        Action<TracerProviderBuilder>? moreTracing = null)
    {
        builder.Services.AddOptions<ChatMetricsOptions>().BindConfiguration(ChatMetricsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(ChatMetricsOptions.SectionName).Get<ChatMetricsOptions>() ?? new ChatMetricsOptions();
        if (!options.Enabled)
        {
            return false;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ChatTelemetry.Name, ChatTelemetry.OrleansMeter).AddRuntimeInstrumentation();
                moreMetrics?.Invoke(metrics);
                exportMetrics(metrics);
            });

        // Spans are only collected where they go somewhere: an unexported span would still cost its allocation.
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]))
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(ChatTelemetry.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application");
                moreTracing?.Invoke(tracing);
            });
            telemetry.UseOtlpExporter();
        }

        return true;
    }
}
