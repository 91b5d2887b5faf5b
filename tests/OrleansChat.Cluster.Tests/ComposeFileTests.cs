using System.Diagnostics;
using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>The compose deployment cannot run here (no Docker engine), but its file must be valid and complete.</summary>
public sealed class ComposeFileTests
{
    [Fact]
    public async Task Docker_compose_config_validates_the_deployment()
    {
        var config = await ComposeConfigAsync();
        foreach (var service in new[] { "redis:", "silo1:", "silo2:", "api1:", "api2:", "nginx:" })
        {
            Assert.Contains($"  {service}", config);
        }

        Assert.Contains("published: 8080", config);
        Assert.Contains("healthcheck:", config);
    }

    [Fact]
    public async Task Every_silo_and_api_node_starts_with_the_settings_cluster_sh_gives_its_nodes()
    {
        var config = (await ComposeConfigAsync()).Split('\n').Select(line => line.Trim()).ToArray();

        foreach (var (key, value) in EnvFile.Read(Path.Combine(LocalCluster.RepositoryRoot, "deploy", "cluster.env")))
        {
            // Once in each of silo1, silo2, api1 and api2.
            Assert.True(config.Count(line => line == $"{key}: {value}") == 4, $"{key}={value} is not in the environment of all four nodes.");
        }
    }

    /// <summary>The file as compose resolves it, without quotes around values.</summary>
    private static async Task<string> ComposeConfigAsync()
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
        return (await output).Replace("'", "").Replace("\"", "");
    }
}
