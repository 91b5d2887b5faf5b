using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>The compose file must be valid and complete, and give its nodes what cluster.sh gives its own.</summary>
public sealed class ComposeFileTests
{
    private static readonly string AuthEnvScript = Path.Combine(LocalCluster.RepositoryRoot, "deploy", "compose", "auth-env.sh");

    [Fact]
    public async Task Docker_compose_config_validates_the_deployment()
    {
        var config = await ComposeConfigAsync();
        foreach (var service in new[] { "redis:", "silo1:", "silo2:", "api1:", "api2:", "nginx:", "prometheus:" })
        {
            Assert.Contains($"  {service}", config);
        }

        Assert.Contains("- 127.0.0.1:8080:8080", config);
        Assert.Contains("- 127.0.0.1:9090:9090", config);
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

    [Fact]
    public async Task The_api_nodes_run_jwt_mode_with_the_key_the_documented_script_wrote_and_keeps()
    {
        var authEnv = (await RunAsync(AuthEnvScript)).Trim();
        var config = await ComposeConfigAsync();

        var key = File.ReadAllLines(authEnv).Single(line => line.StartsWith("Chat__Auth__SigningKey=", StringComparison.Ordinal)).Split('=', 2)[1];
        Assert.Equal(32, Convert.FromBase64String(key).Length);
        Assert.Equal(2, CountOf(config, $"Chat__Auth__SigningKey: {key}"));
        Assert.Equal(2, CountOf(config, "Chat__Auth__Mode: Jwt"));
        Assert.Equal(2, CountOf(config, "Chat__Auth__DevTokens: true"));

        // Run again, it keeps the key: nodes recreated later still accept the tokens already issued.
        await RunAsync(AuthEnvScript);
        Assert.Contains($"Chat__Auth__SigningKey={key}", File.ReadAllText(authEnv));
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    /// <summary>The file as compose resolves it, without quotes around values; the documented first step runs first.</summary>
    private static async Task<string> ComposeConfigAsync()
    {
        await RunAsync(AuthEnvScript);
        return (await RunAsync("docker-compose", "-f", "docker-compose.yml", "config")).Replace("'", "").Replace("\"", "");
    }

    private static async Task<string> RunAsync(string command, params string[] arguments) =>
        (await ExternalCommand.RunAsync(command, arguments, TimeSpan.FromMinutes(1))).EnsureSuccess().Output;
}
