using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansChat.Api.Hosting;

/// <summary>Ready when a management call reaches the cluster and it has at least one active silo.</summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains, IHostApplicationLifetime lifetime) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            // A cluster client finishes starting only once it has connected.
            return HealthCheckResult.Unhealthy("Not connected to the cluster yet.");
        }

        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(Timeout, cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s).")
                : HealthCheckResult.Unhealthy("No active silo.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster is unreachable.", exception);
        }
    }
}
