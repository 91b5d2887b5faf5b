using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansChat.Cluster.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class ComposeDeploymentCollection : ICollectionFixture<ComposeDeployment>
{
    public const string Name = "compose deployment";
}

/// <summary>
/// docker-compose.yml, built and started for the collection as the README says (deploy/compose/auth-env.sh, and
/// deploy/docker/local-base-images.sh for the base images and the Docker daemon), brought back to full strength
/// before each test, removed at the end with its volumes; the daemon is stopped again when this fixture started it.
/// Test traffic goes only to nginx on 127.0.0.1:8080, as a user's would, with tokens signed by the deployment's key.
/// </summary>
public sealed partial class ComposeDeployment(IMessageSink diagnostics) : IAsyncLifetime
{
    public static readonly Uri Nginx = new("http://127.0.0.1:8080");

    private const string Project = "orleanschat-test";

    private static readonly string Root = LocalCluster.RepositoryRoot;
    private string? _daemonStartedByUs;
    private bool _composeUsed;

    /// <summary>Signs tokens with the key the API nodes share (deploy/compose/auth.env).</summary>
    internal TokenIssuer Tokens { get; private set; } = null!;

    /// <summary>The API node behind an nginx answer: docker-compose.yml gives the nodes fixed addresses.</summary>
    internal static string NodeServing(ResumingSseClient.Connection connection) =>
        connection.Upstream.Split(',')[^1].Trim() switch
        {
            "172.28.0.11:8080" => "api1",
            "172.28.0.12:8080" => "api2",
            var other => throw new InvalidOperationException($"Unexpected upstream '{other}'."),
        };

    public async Task InitializeAsync()
    {
        var total = Stopwatch.StartNew();
        var pidFile = Path.GetTempFileName();
        try
        {
            await RunAsync(Path.Combine(Root, "deploy", "docker", "local-base-images.sh"), TimeSpan.FromMinutes(8), "--dockerd-pid-file", pidFile);
        }
        finally
        {
            // Also when the script failed after it started the daemon: DisposeAsync stops it.
            _daemonStartedByUs = (await File.ReadAllTextAsync(pidFile)).Trim() is { Length: > 0 } pid ? pid : null;
            File.Delete(pidFile);
        }

        var baseImages = total.Elapsed;
        var authEnv = (await RunAsync(Path.Combine(Root, "deploy", "compose", "auth-env.sh"), TimeSpan.FromSeconds(30))).Trim();
        Tokens = new TokenIssuer(File.ReadAllLines(authEnv).Single(line => line.StartsWith(SigningKeySetting, StringComparison.Ordinal))[SigningKeySetting.Length..]);

        // Whatever an interrupted earlier run left behind.
        _composeUsed = true;
        await ComposeAsync(TimeSpan.FromMinutes(2), "down", "-v", "--remove-orphans");
        var clock = Stopwatch.StartNew();
        await ComposeAsync(TimeSpan.FromMinutes(10), "up", "--build", "-d");
        var up = clock.Elapsed;
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(3));
        Measurements.Record(null, $"compose: base images ready in {baseImages.TotalSeconds:0} s{(_daemonStartedByUs is null ? "" : " (dockerd started)")}; 'up --build -d' {up.TotalSeconds:0} s, every service healthy {clock.Elapsed.TotalSeconds:0} s after it began, {total.Elapsed.TotalSeconds:0} s after the fixture began");
    }

    public async Task DisposeAsync()
    {
        if (_composeUsed)
        {
            await ComposeAsync(TimeSpan.FromMinutes(2), "down", "-v", "--remove-orphans");
        }

        if (_daemonStartedByUs is { } pid)
        {
            // SIGTERM: dockerd then stops its containerd as well.
            await RunAsync("kill", TimeSpan.FromSeconds(10), pid);
            await Poll.UntilAsync(() => !IsRunning(pid), $"dockerd (pid {pid}) has stopped", TimeSpan.FromMinutes(1));
            Measurements.Record(null, $"compose: dockerd (pid {pid}) stopped again");
        }
    }

    private static bool IsRunning(string pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";

    /// <summary>Starts whatever an earlier test killed and waits until every service is healthy.</summary>
    public async Task EnsureUpAsync()
    {
        await ComposeAsync(TimeSpan.FromMinutes(2), "up", "-d", "--no-build");
        await WaitUntilHealthyAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>
    /// SIGKILLs a service's container, as a crash would (Docker does not restart a container killed this way), and
    /// returns when the kill command was given: the lookup of the container before it takes a while.
    /// </summary>
    public async Task<DateTime> KillAsync(string service)
    {
        var container = await ContainerOfAsync(service);
        var requestedAt = DateTime.UtcNow;
        await DockerAsync(TimeSpan.FromSeconds(30), "kill", container);
        return requestedAt;
    }

    /// <summary>
    /// The silo (<c>silo1</c> or <c>silo2</c>) that hosts the room: the one whose connection writes the room's keys
    /// when a message is posted, as Redis' MONITOR shows it.
    /// </summary>
    public async Task<string> SiloHostingAsync(string roomId, Func<Task> post)
    {
        var redis = await ContainerOfAsync("redis");
        var monitor = Process.Start(new ProcessStartInfo(DockerCli, ["exec", redis, "timeout", "30", "redis-cli", "monitor"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            Assert.Equal("OK", await monitor.StandardOutput.ReadLineAsync());
            await post();
            var key = $"{{{roomId}}}";
            while (await monitor.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Contains(key, StringComparison.Ordinal) && MonitorClient().Match(line) is { Success: true } client)
                {
                    foreach (var silo in new[] { "silo1", "silo2" })
                    {
                        if (await AddressOfAsync(silo) == client.Groups[1].Value)
                        {
                            return silo;
                        }
                    }

                    throw new InvalidOperationException($"Room '{roomId}' is written by {client.Groups[1].Value}, which is no silo.");
                }
            }

            throw new InvalidOperationException($"No write of room '{roomId}' seen by Redis: {await monitor.StandardError.ReadToEndAsync()}");
        }
        finally
        {
            monitor.Kill();
            await monitor.WaitForExitAsync();
            monitor.Dispose();
        }
    }

    /// <summary>Until every container of the deployment is healthy: each service has a health check.</summary>
    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var ids = (await ComposeAsync(TimeSpan.FromSeconds(30), "ps", "-q")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var states = (await DockerAsync(TimeSpan.FromSeconds(30), ["inspect", "-f", "{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", .. ids]))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (states.All(s => s.EndsWith(" healthy", StringComparison.Ordinal)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var logs = await ComposeAsync(TimeSpan.FromSeconds(30), "logs", "--tail", "20");
                Assert.Fail($"Not every service became healthy within {timeout.TotalSeconds:0} s: {string.Join("; ", states)}\n{logs}");
            }

            await Task.Delay(250);
        }
    }

    private async Task<string> AddressOfAsync(string service) =>
        (await DockerAsync(TimeSpan.FromSeconds(30), "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", await ContainerOfAsync(service))).Trim();

    private async Task<string> ContainerOfAsync(string service) =>
        (await ComposeAsync(TimeSpan.FromSeconds(30), "ps", "-q", service)).Trim() is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException($"Service {service} has no container.");

    private Task<string> ComposeAsync(TimeSpan timeout, params string[] arguments) =>
        RunAsync("docker-compose", timeout, ["-p", Project, "-f", "docker-compose.yml", "-f", TestOverrides, .. arguments]);

    private Task<string> DockerAsync(TimeSpan timeout, params string[] arguments) => RunAsync(DockerCli, timeout, arguments);

    // The client of the package local-base-images.sh installs, once it is there: an unrelated docker binary earlier
    // on PATH may not match the daemon.
    private static string DockerCli => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    private const string SigningKeySetting = "Chat__Auth__SigningKey=";

    private static string TestOverrides => Path.Combine("tests", "OrleansChat.Cluster.Tests", "compose.test.yml");

    private async Task<string> RunAsync(string file, TimeSpan timeout, params string[] arguments)
    {
        var run = (await ExternalCommand.RunAsync(file, arguments, timeout)).EnsureSuccess();
        if (!arguments.Any(a => a is "ps" or "inspect"))
        {
            diagnostics.OnMessage(new DiagnosticMessage($"{run.Command}:\n{run.Errors}"));
        }

        return run.Output;
    }

    // "1732857600.123456 [0 172.28.0.4:43210] "EVALSHA" ...": the client's address; script-internal calls say "lua".
    [GeneratedRegex(@"^\S+ \[\d+ ([0-9.]+):\d+\]")]
    private static partial Regex MonitorClient();
}
