using System.Diagnostics;
using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>The compose deployment cannot run here (no Docker engine), but its file must be valid and complete.</summary>
public sealed class ComposeFileTests
{
    [Fact]
    public async Task Docker_compose_config_validates_the_deployment()
    {
        // The documented first step: the API nodes read their signing key from the file it writes.
        var authEnv = (await RunAsync(Path.Combine(LocalCluster.RepositoryRoot, "deploy", "compose", "auth-env.sh"))).Trim();
        var config = await RunAsync("docker-compose", "-f", "docker-compose.yml", "config");

        foreach (var service in new[] { "redis:", "silo1:", "silo2:", "api1:", "api2:", "nginx:" })
        {
            Assert.Contains($"  {service}", config);
        }

        Assert.Contains("published: 8080", config.Replace("'", "").Replace("\"", ""));
        Assert.Contains("healthcheck:", config);

        var key = File.ReadAllLines(authEnv).Single(line => line.StartsWith("Chat__Auth__SigningKey=", StringComparison.Ordinal)).Split('=', 2)[1];
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.Equal(2, CountOf(config, $"Chat__Auth__SigningKey: {key}"));
        Assert.Equal(2, CountOf(config, "Chat__Auth__Mode: Jwt"));
        Assert.Equal(2, CountOf(config.Replace("\"", ""), "Chat__Auth__DevTokens: true"));

        // Run again, it keeps the key: nodes recreated later still accept the tokens already issued.
        await RunAsync(Path.Combine(LocalCluster.RepositoryRoot, "deploy", "compose", "auth-env.sh"));
        Assert.Contains($"Chat__Auth__SigningKey={key}", File.ReadAllText(authEnv));
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    private static async Task<string> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = LocalCluster.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} failed:\n{await errors}");
        return await output;
    }
}
