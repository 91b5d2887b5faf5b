using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Telemetry;

/// <summary><c>Chat:Metrics</c>: whether a node publishes metrics, and where a silo serves them.</summary>
public sealed class ChatMetricsOptions
{
    public const string SectionName = "Chat:Metrics";

    /// <summary>
    /// False turns OpenTelemetry off altogether: no meter provider, no <c>/metrics</c>, no exporter. The instruments
    /// then cost a check of a flag per call (for measuring what metrics cost, docs/benchmarks.md).
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A silo's Prometheus port (<c>http://Host:Port/metrics</c>); 0 serves none. API nodes serve <c>/metrics</c> on their own port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>The host part of a silo's metrics listener: <c>localhost</c>, an address, or <c>*</c> for every interface.</summary>
    [Required]
    public string Host { get; set; } = "localhost";
}
