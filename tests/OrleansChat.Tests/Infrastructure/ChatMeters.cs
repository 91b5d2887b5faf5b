using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrleansChat.Api.Telemetry;
using OrleansChat.Telemetry;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>Reads the <c>OrleansChat</c> instruments of one node, as its meter provider would.</summary>
internal static class ChatMeters
{
    public static MetricCollector<T> Collect<T>(IServiceProvider services, string instrument) where T : struct =>
        new(services.GetRequiredService<IMeterFactory>(), ChatTelemetry.Name, instrument);

    /// <summary>Instruments nothing listens to, for a part tested on its own.</summary>
    public static ChatMetrics Unobserved() => new(UnobservedFactory());

    /// <summary>A meter factory nothing listens to, for a part with meters of its own.</summary>
    public static IMeterFactory UnobservedFactory() =>
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    /// <summary>The sum of the measurements whose <paramref name="tag"/> is <paramref name="value"/>.</summary>
    public static long Sum(this MetricCollector<long> collector, string tag, object value) =>
        collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags.GetValueOrDefault(tag), value)).Sum(m => m.Value);

    public static long Sum(this MetricCollector<long> collector) => collector.GetMeasurementSnapshot().Sum(m => m.Value);
}
