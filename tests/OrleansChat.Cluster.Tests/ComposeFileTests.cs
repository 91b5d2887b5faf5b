using System.Diagnostics;
using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>The compose file is valid and complete, and publishes only on loopback (checked without a Docker engine).</summary>
public sealed class ComposeFileTests
{
    [Fact]
    public async Task Docker_compose_config_validates_the_deployment()
    {
        var start = new ProcessStartInfo("docker-compose", ["-f", "docker-compose.yml", "config"])
        {
            WorkingDirectory = LocalCluster.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"docker-compose config failed:\n{await errors}");
        var config = await output;
        foreach (var service in new[] { "redis:", "silo1:", "silo2:", "api1:", "api2:", "nginx:" })
        {
            Assert.Contains($"  {service}", config);
        }

        Assert.Contains("- 127.0.0.1:8080:8080", config.Replace("'", "").Replace("\"", ""));
        Assert.Contains("healthcheck:", config);
    }
}
