using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansChat.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansChat.Cluster.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class LocalClusterCollection : ICollectionFixture<LocalCluster>
{
    public const string Name = "local cluster";
}

/// <summary>
/// The loopback cluster of <c>deploy/local/cluster.sh</c>, with real processes: started fresh once for the
/// collection, brought back to full strength before each test, stopped at the end. Its ports and its nodes'
/// settings are read from the files cluster.sh reads.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    private static readonly string Root = FindRoot();
    private static readonly string Script = Path.Combine(Root, "deploy", "local", "cluster.sh");

    /// <summary>deploy/cluster.env: the settings every node starts with (compose's nodes too).</summary>
    private static readonly IReadOnlyDictionary<string, string> NodeSettings = EnvFile.Read(Path.Combine(Root, "deploy", "cluster.env"));

    /// <summary>deploy/local/ports.env: each process's loopback port, by node name.</summary>
    private static readonly IReadOnlyDictionary<string, string> Ports = EnvFile.Read(Path.Combine(Root, "deploy", "local", "ports.env"));

    private static readonly string[] ApiNodes = ["api1", "api2"];
    private static readonly string[] Silos = ["silo1", "silo2"];

    // After Ports: static fields are initialized in the order they are declared.
    public static readonly Uri Nginx = Loopback("nginx");
    public static readonly Uri Api1 = Loopback("api1");
    public static readonly Uri Api2 = Loopback("api2");

    private readonly IMessageSink _diagnostics;
    private IHost? _orleansClient;

    public LocalCluster(IMessageSink diagnostics) => _diagnostics = diagnostics;

    public const int StreamLeaseSeconds = 9;

    /// <summary>Presence leases as short as the stream leases, and a short grace, for the same reason.</summary>
    public const int PresenceLeaseSeconds = 9;

    public const int PresenceGraceSeconds = 3;

    public static string LogDirectory => Path.Combine(StateDirectory, "logs");

    private static string StateDirectory => Path.Combine(Root, "deploy", "local", ".state");

    public static string RepositoryRoot => Root;

    public static string NodeOf(Uri apiNode) =>
        ApiNodes.SingleOrDefault(node => PortOf(node) == apiNode.Port) ?? throw new ArgumentException($"{apiNode} is not an API node.");

    public static Uri AddressOf(string apiNode) =>
        ApiNodes.Contains(apiNode) ? Loopback(apiNode) : throw new ArgumentException($"'{apiNode}' is not an API node.");

    public async Task InitializeAsync()
    {
        await RunAsync(TimeSpan.FromMinutes(2), "down");
        var started = Stopwatch.StartNew();
        // test.sh builds the whole solution in Release first; building again would only cost time.
        var noBuild = Environment.GetEnvironmentVariable("CHAT_CLUSTER_NO_BUILD") == "1";
        await RunAsync(TimeSpan.FromMinutes(6), noBuild ? ["up", "--no-build"] : ["up"]);
        Measurements.Record(null, $"cluster.sh up{(noBuild ? " --no-build" : "")} took {started.Elapsed.TotalSeconds:0.0} s");
    }

    public async Task DisposeAsync()
    {
        if (_orleansClient is not null)
        {
            await _orleansClient.StopAsync(TimeSpan.FromSeconds(5));
            _orleansClient.Dispose();
        }

        await RunAsync(TimeSpan.FromMinutes(2), "down");
    }

    /// <summary>Starts whatever an earlier test killed and waits until both API nodes are ready.</summary>
    public Task EnsureUpAsync() => RunAsync(TimeSpan.FromMinutes(3), "up", "--no-build");

    /// <summary>
    /// Restarts the whole cluster with Redis as a primary, a replica and three sentinels (<paramref name="ha"/>), or
    /// as the single server the other tests expect. The room logs of the two modes are separate.
    /// </summary>
    public async Task RestartAsync(bool ha)
    {
        if (_orleansClient is not null)
        {
            await _orleansClient.StopAsync(TimeSpan.FromSeconds(5));
            _orleansClient.Dispose();
            _orleansClient = null;
        }

        await RunAsync(TimeSpan.FromMinutes(2), "down");
        await RunAsync(TimeSpan.FromMinutes(3), ha ? ["up", "--no-build", "--ha"] : ["up", "--no-build"]);
    }

    /// <summary>In HA, the Redis server (<c>redis1</c> or <c>redis2</c>) that a sentinel names as the primary now.</summary>
    public static async Task<string> RedisPrimaryAsync()
    {
        foreach (var sentinel in new[] { "sentinel1", "sentinel2", "sentinel3" })
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
                {
                    EndPoints = { { "127.0.0.1", PortOf(sentinel) } },
                    CommandMap = CommandMap.Sentinel,
                    ConnectTimeout = 1000,
                });
                var primary = await connection.GetServer("127.0.0.1", PortOf(sentinel)).SentinelGetMasterAddressByNameAsync(NodeSettings["Orleans__ServiceId"]);
                if (primary is System.Net.IPEndPoint endpoint)
                {
                    return endpoint.Port == PortOf("redis2") ? "redis2" : "redis1";
                }
            }
            catch (RedisConnectionException)
            {
            }
        }

        throw new InvalidOperationException("No sentinel names a Redis primary.");
    }

    public Task KillAsync(string node) => RunAsync(TimeSpan.FromSeconds(60), "kill", node);

    /// <summary>SIGTERM, as an operator's stop; cluster.sh waits until the process is gone.</summary>
    public Task StopAsync(string node) => RunAsync(TimeSpan.FromSeconds(60), "stop", node);

    /// <summary>The pid cluster.sh started <paramref name="node"/> with: unchanged means not restarted.</summary>
    public static int? ProcessId(string node) =>
        File.Exists(Path.Combine(StateDirectory, "pids", $"{node}.pid"))
            ? int.Parse(File.ReadAllText(Path.Combine(StateDirectory, "pids", $"{node}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// The silos the cluster's membership lists as active, asked of the cluster itself; null while it cannot say (just
    /// after a Redis restart, a silo's read of the membership table can still fail on its reconnecting connection).
    /// </summary>
    public async Task<int?> ActiveSiloCountAsync()
    {
        var grains = (await OrleansClientAsync()).Services.GetRequiredService<IClusterClient>();
        try
        {
            return (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    public Task StartAsync(string node, bool wait = true) =>
        wait ? RunAsync(TimeSpan.FromMinutes(3), "start", node) : RunAsync(TimeSpan.FromMinutes(1), "start", node, "--no-wait");

    /// <summary>The silo (<c>silo1</c> or <c>silo2</c>) that hosts the room's grain now, asked of the cluster itself.</summary>
    public async Task<string> SiloHostingAsync(string roomId)
    {
        var grains = (await OrleansClientAsync()).Services.GetRequiredService<IClusterClient>();
        var address = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IRoomGrain>(roomId))
            ?? throw new InvalidOperationException($"Room '{roomId}' has no activation.");
        var port = address.Endpoint.Port;
        return Silos.SingleOrDefault(silo => PortOf(silo) == port)
            ?? throw new InvalidOperationException($"Room '{roomId}' is on an unknown silo port {port}.");
    }

    /// <summary>
    /// Deletes the stream pub-sub state of the cluster from Redis, as a silo crash with an in-memory pub-sub store
    /// would lose it: the API nodes' subscriptions are then gone without anyone telling them. Returns the keys deleted.
    /// </summary>
    public async Task<int> ForgetStreamSubscriptionsAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisAddress);
        var serviceId = NodeSettings["Orleans__ServiceId"];
        var keys = redis.GetServer(RedisAddress).Keys(pattern: $"{serviceId}/{await ClusterIdAsync()}/pubsub/*").ToArray();
        return (int)await redis.GetDatabase().KeyDeleteAsync(keys);
    }

    private static string RedisAddress => $"127.0.0.1:{PortOf("redis")}";

    private static int PortOf(string process) => int.Parse(Ports[process], System.Globalization.CultureInfo.InvariantCulture);

    private static Uri Loopback(string process) => new($"http://127.0.0.1:{PortOf(process)}");

    private static async Task<string> ClusterIdAsync() =>
        (await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "local", ".state", "cluster-id"))).Trim();

    private async Task<IHost> OrleansClientAsync()
    {
        if (_orleansClient is not null)
        {
            return _orleansClient;
        }

        // Configured as cluster.sh configures its API nodes, as environment variables would be read.
        var settings = NodeSettings.ToDictionary(setting => setting.Key.Replace("__", ":"), setting => (string?)setting.Value);
        settings["ConnectionStrings:Redis"] = (await File.ReadAllTextAsync(Path.Combine(StateDirectory, "redis-connection"))).Trim();
        settings["Orleans:ClusterId"] = await ClusterIdAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.AddChatClustering());
        var host = builder.Build();
        await host.StartAsync();
        return _orleansClient = host;
    }

    private async Task<string> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var run = await ExternalCommand.RunAsync(Script, arguments, timeout, new Dictionary<string, string>
        {
            // Every test client posts from 127.0.0.1: the per-address rate limit would throttle the tests, not a user.
            ["Chat__RateLimit__PostsPerSecond"] = "0",
            // A short stream lease (renewed every 3 s) keeps the test of a killed node's leases short; the rule is the same.
            ["Chat__Sse__StreamLeaseSeconds"] = Invariant(StreamLeaseSeconds),
            ["Chat__Presence__LeaseSeconds"] = Invariant(PresenceLeaseSeconds),
            ["Chat__Presence__GraceSeconds"] = Invariant(PresenceGraceSeconds),
        });
        _diagnostics.OnMessage(new DiagnosticMessage($"{run.Command}:\n{run.Output}{run.Errors}"));
        return run.EnsureSuccess().Output + run.Errors;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansChat.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("OrleansChat.sln not found above the test binaries.");
    }
}
