using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansChat.Api.Hosting;

/// <summary>Ready once the node's warm-up has run (or given up): <see cref="PipelineWarmUp"/>.</summary>
internal sealed class WarmUpHealthCheck(PipelineWarmUp warmUp) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(warmUp.Finished ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Warming up."));
}
