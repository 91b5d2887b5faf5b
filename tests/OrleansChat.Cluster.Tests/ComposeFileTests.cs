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

    [Fact]
    public async Task The_ha_env_file_adds_a_replica_and_three_sentinels_and_points_every_node_at_them()
    {
        var single = await ComposeConfigAsync();
        var ha = await ComposeConfigAsync("--env-file", "deploy/compose/ha.env");

        // The env file turns the profile on; without it, the HA services do not start (docker-compose 1.x lists them
        // in its config all the same, with their profile).
        Assert.Equal("ha", EnvFile.Read(Path.Combine(LocalCluster.RepositoryRoot, "deploy", "compose", "ha.env"))["COMPOSE_PROFILES"]);
        foreach (var service in new[] { "redis-replica", "sentinel1", "sentinel2", "sentinel3" })
        {
            Assert.Contains("- ha", ServiceBlock(ha, service));
            Assert.True(ServiceBlock(single, service) is not { } block || block.Contains("- ha"), $"{service} starts without the ha profile.");
        }

        Assert.DoesNotContain("- ha", ServiceBlock(ha, "redis"));

        // The nodes ask the sentinels for the primary of the service the sentinels monitor, and appends wait for the replica.
        Assert.Equal(4, CountOf(ha, "ConnectionStrings__Redis: sentinel1:26379,sentinel2:26379,sentinel3:26379,serviceName=orleanschat"));
        Assert.Equal(4, CountOf(ha, "Chat__Durability__Replicas: 1"));
        Assert.Equal(3, CountOf(ha, "sentinel monitor orleanschat redis 6379 2"));
        Assert.Contains("--replicaof", ha);
        Assert.Equal(4, CountOf(single, "ConnectionStrings__Redis: redis:6379"));
        Assert.Equal(4, CountOf(single, "Chat__Durability__Replicas: 0"));
    }

    private static int CountOf(string text, string part) => text.Split(part).Length - 1;

    /// <summary>The lines of one service in a resolved config, or null when the config does not list it.</summary>
    private static string? ServiceBlock(string config, string service)
    {
        var lines = config.Split('\n');
        var start = Array.IndexOf(lines, $"  {service}:");
        if (start < 0)
        {
            return null;
        }

        // A service's own lines are indented further; blank lines occur inside multi-line values.
        var end = Array.FindIndex(lines, start + 1, line => line.Length > 0 && !line.StartsWith("    ", StringComparison.Ordinal));
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }

    /// <summary>The file as compose resolves it, without quotes around values; the documented first step runs first.</summary>
    private static async Task<string> ComposeConfigAsync(params string[] options)
    {
        await RunAsync(AuthEnvScript);
        return (await RunAsync("docker-compose", [.. options, "-f", "docker-compose.yml", "config"])).Replace("'", "").Replace("\"", "");
    }

    private static async Task<string> RunAsync(string command, params string[] arguments) =>
        (await ExternalCommand.RunAsync(command, arguments, TimeSpan.FromMinutes(1))).EnsureSuccess().Output;
}
