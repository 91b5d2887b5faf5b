using System.Globalization;
using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>
/// The HA cluster under load while, every 20–40 s, a random node (silo1, silo2, api1, api2 or the Redis primary) is
/// SIGKILLed or SIGTERMed and started again. 90 s here; <c>bench/soak.sh</c> runs it for longer
/// (<c>CHAT_SOAK_SECONDS</c>, <c>CHAT_SOAK_CLIENTS</c>).
/// </summary>
[Collection(LocalClusterCollection.Name)]
public sealed class ChaosSoakTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(Setting("CHAT_SOAK_SECONDS", 90));
    private static readonly int Clients = Setting("CHAT_SOAK_CLIENTS", 200);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static readonly string[] Victims = ["silo1", "silo2", "api1", "api2", "redis"];
    private static readonly string[] Measured = ["silo1", "silo2", "api1", "api2", "nginx"];
    private const int RoomCount = 5;

    // A process restarted by the soak is measured from one interval after its start, before its heap has reached its
    // working size, and a Redis failover's outage (posts answered 503 and retried) grows the silos' buffers: one run saw
    // a restarted silo grow 39 % with nothing lost. What this catches is a gross leak; bench/soak.sh runs longer.
    private const double MaxGrowth = 1.5;

    public Task InitializeAsync() => cluster.RestartAsync(ha: true);

    // The other tests expect the single Redis server.
    public Task DisposeAsync() => cluster.RestartAsync(ha: false);

    [Fact]
    public async Task Random_kills_and_restarts_lose_no_acknowledged_message_and_leak_no_memory()
    {
        // Each room stays within the messages it retains (1000) over the whole run.
        var pace = TimeSpan.FromMilliseconds(Math.Max(25, 4 * Duration.TotalMilliseconds / 900));
        var rooms = Enumerable.Range(0, RoomCount).Select(i => new RoomUnderLoad($"soak{i}", Patience, Clients / RoomCount, pace, LoadEntryPoints.NginxOnly(LocalCluster.Nginx))).ToArray();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = new List<string>();
        var apiNodeStops = new List<(DateTime From, DateTime To)>();
        try
        {
            foreach (var room in rooms)
            {
                await room.StartAsync(acknowledged: 5);
            }

            var end = DateTime.UtcNow + Duration;
            var baselines = new Dictionary<string, (int Pid, long Rss)>();
            while (true)
            {
                var wait = TimeSpan.FromSeconds(random.Next(20, 41));
                if (DateTime.UtcNow + wait > end)
                {
                    break;
                }

                await Task.Delay(wait);
                // Each process is measured from one interval under load after it started: the first, or its restart.
                foreach (var (node, now) in Snapshot())
                {
                    if (!baselines.TryGetValue(node, out var known) || known.Pid != now.Pid)
                    {
                        baselines[node] = now;
                    }
                }

                var victim = Victims[random.Next(Victims.Length)];
                var crash = random.Next(2) == 0;
                var target = victim == "redis" ? await LocalCluster.RedisPrimaryAsync() : victim;
                var requestedAt = DateTime.UtcNow;
                await (crash ? cluster.KillAsync(victim) : cluster.StopAsync(victim));
                var goneAt = DateTime.UtcNow;
                await cluster.StartAsync(victim);
                if (victim.StartsWith("api", StringComparison.Ordinal))
                {
                    // Until the node serves again: nginx can still send a post on a pooled connection to the dead
                    // node after it is gone, before it has handled that connection's close.
                    apiNodeStops.Add((requestedAt, DateTime.UtcNow));
                }

                var unavailable = TimeSpan.Zero;
                foreach (var room in rooms)
                {
                    var back = await room.PostingResumedAsync(since: goneAt, from: requestedAt);
                    unavailable = back > unavailable ? back : unavailable;
                }

                kills.Add($"{(crash ? "SIGKILL" : "SIGTERM")} {target}: every room took posts again {unavailable.TotalSeconds:0.0} s after the signal");
            }

            var remaining = end - DateTime.UtcNow;
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining);
            }

            long messages = 0;
            foreach (var room in rooms)
            {
                messages += await room.StopAndVerifyAsync(apiNodeStops);
            }

            var grown = new List<string>();
            var rss = new List<string>();
            foreach (var (node, (pid, before)) in baselines)
            {
                if (LocalCluster.ProcessId(node) == pid && ResidentBytes(pid) is { } after)
                {
                    rss.Add($"{node} {before / 1_048_576} → {after / 1_048_576} MB");
                    if (after > before * MaxGrowth)
                    {
                        grown.Add(node);
                    }
                }
            }

            var attempts = rooms.SelectMany(r => r.Attempts).ToArray();
            Measurements.Record(output, $"chaos soak {Duration.TotalSeconds:0} s (seed {seed}), {Clients} SSE clients in {RoomCount} rooms, {kills.Count} kills: {string.Join("; ", kills)}; {messages} messages acknowledged, none lost or repeated, every client has each once in order; {attempts.Length} post attempts, {attempts.Count(a => a.Status == 503)} answered 503, {attempts.Count(a => RoomUnderLoad.CaughtByNodeStop(a, apiNodeStops))} caught by an API node's stop answered 502 and retried; RSS per process (one interval after its start → end): {string.Join(", ", rss)}");
            Assert.True(grown.Count == 0, $"RSS grew by more than {MaxGrowth - 1:P0}: {string.Join(", ", rss)}");
        }
        finally
        {
            foreach (var room in rooms)
            {
                await room.DisposeAsync();
            }
        }
    }

    private static Dictionary<string, (int Pid, long Rss)> Snapshot() =>
        Measured.Select(node => (node, pid: LocalCluster.ProcessId(node)))
            .Where(x => x.pid is not null && ResidentBytes(x.pid.Value) is not null)
            .ToDictionary(x => x.node, x => (x.pid!.Value, ResidentBytes(x.pid!.Value)!.Value));

    private static long? ResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
