using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>Presence across a crash: the users of a killed API node who reconnect elsewhere never leave.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class PresenceFailoverTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private const int ReconnectingUsers = 50;
    private const int VanishingUsers = 5;
    private const string Victim = "api1";
    private const string Survivor = "api2";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public Task InitializeAsync() => cluster.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Users_of_a_killed_api_node_who_reconnect_through_nginx_never_leave_and_those_who_do_not_leave_after_the_lease()
    {
        var room = Rooms.NewId("presence-kill");
        var clients = new List<ResumingSseClient>();
        var vanishing = new List<HttpResponseMessage>();
        using var victimHttp = new HttpClient { BaseAddress = LocalCluster.AddressOf(Victim), Timeout = Patience };
        await using var watcher = await PresenceWatcher.OpenAsync(LocalCluster.AddressOf(Survivor), room, $"watcher-{Guid.NewGuid():N}"[..16]);
        try
        {
            // Through nginx until the victim serves 50 users; those on the survivor stay present too.
            while (clients.Count(c => OnVictim(c)) < ReconnectingUsers)
            {
                var client = new ResumingSseClient(LocalCluster.Nginx, room, lastEventId: null);
                clients.Add(client);
                await Poll.UntilAsync(() => client.Connections.Count > 0, "the client is connected", Patience);
            }

            var gone = Enumerable.Range(0, VanishingUsers).Select(i => $"gone-{i}-{Guid.NewGuid():N}"[..16]).ToArray();
            foreach (var user in gone)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{room}/events");
                request.Headers.Authorization = ClusterTokens.Bearer(user);
                var response = await victimHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                vanishing.Add(response);
            }

            var present = clients.Select(c => c.UserId).Concat(gone).ToArray();
            await Poll.UntilAsync(() => present.All(watcher.Joined.Contains), "the watcher saw everyone join", Patience);

            var killedAt = DateTime.UtcNow;
            var sinceKill = Stopwatch.StartNew();
            await cluster.KillAsync(Victim);
            var onVictim = clients.Where(OnVictim).ToArray();
            await Poll.UntilAsync(
                () => onVictim.All(c => c.Connections.Any(k => k.OpenedAt > killedAt && Rooms.NodeServing(k) == Survivor)),
                $"the victim's {onVictim.Length} clients reconnected to {Survivor}", Patience);
            var reconnected = sinceKill.Elapsed;

            await Poll.UntilAsync(() => gone.All(watcher.Left.Contains), "the users who did not come back left", Patience);
            var leftAfter = sinceKill.Elapsed;
            // A newcomer's join comes after anything published before it: nothing else is on its way.
            await using var sentinel = new ResumingSseClient(LocalCluster.AddressOf(Survivor), room, lastEventId: null);
            await Poll.UntilAsync(() => watcher.Joined.Contains(sentinel.UserId), "the watcher saw the sentinel join", Patience);

            Assert.Equal(gone.Order(), watcher.Left.Order());
            Assert.Equal(present.Length + 1, watcher.Joined.Count);
            using var reader = Rooms.Reader(LocalCluster.Nginx);
            var presence = await reader.GetFromJsonAsync<JsonElement>($"/rooms/{room}/presence");
            Assert.Equal(clients.Count + 2, presence.GetProperty("count").GetInt32());
            Measurements.Record(output, $"presence: {Victim} SIGKILLed with {onVictim.Length} reconnecting and {VanishingUsers} vanishing users of {present.Length}; "
                + $"all reconnected to {Survivor} within {reconnected.TotalSeconds:0.0} s with no leave and no join; the vanished left after {leftAfter.TotalSeconds:0.0} s "
                + $"(lease {LocalCluster.PresenceLeaseSeconds} s); {watcher.Events} presence events in all");
            // The node's last renewal came up to a third of a lease before the kill; polls are on a loaded machine.
            Assert.True(leftAfter < TimeSpan.FromSeconds(LocalCluster.PresenceLeaseSeconds + 2),
                $"The vanished users left {leftAfter.TotalSeconds:0.0} s after the kill, later than the {LocalCluster.PresenceLeaseSeconds} s lease.");
        }
        finally
        {
            vanishing.ForEach(response => response.Dispose());
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static bool OnVictim(ResumingSseClient client) => Rooms.NodeServing(client.Connections[0]) == Victim;

    /// <summary>A <c>?presence=true</c> stream on one node, recording who joined and who left.</summary>
    private sealed class PresenceWatcher : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _lock = new();
        private readonly List<string> _joined = [];
        private readonly List<string> _left = [];
        private Task _reading = Task.CompletedTask;
        private int _events;

        private PresenceWatcher(Uri node) => _http = new HttpClient { BaseAddress = node, Timeout = Timeout.InfiniteTimeSpan };

        public IReadOnlyCollection<string> Joined => Snapshot(_joined);

        public IReadOnlyCollection<string> Left => Snapshot(_left);

        public int Events => Volatile.Read(ref _events);

        public static async Task<PresenceWatcher> OpenAsync(Uri node, string roomId, string userId)
        {
            var watcher = new PresenceWatcher(node);
            var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{roomId}/events?presence=true");
            request.Headers.Authorization = ClusterTokens.Bearer(userId);
            var response = await watcher._http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            watcher._reading = watcher.ReadAsync(response, userId);
            return watcher;
        }

        private async Task ReadAsync(HttpResponseMessage response, string self)
        {
            using (response)
            {
                await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
                await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
                {
                    var list = item.EventType switch { "join" => _joined, "leave" => _left, _ => null };
                    Interlocked.Increment(ref _events);
                    var userId = list is null ? null : JsonDocument.Parse(item.Data).RootElement.GetProperty("userId").GetString()!;
                    if (list is not null && userId != self)
                    {
                        lock (_lock)
                        {
                            list.Add(userId!);
                        }
                    }
                }
            }
        }

        private string[] Snapshot(List<string> list)
        {
            lock (_lock)
            {
                return [.. list];
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _reading;
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
            {
                // Cancelled, or the stream broke: either way the watcher is done.
            }

            _http.Dispose();
            _stop.Dispose();
        }
    }
}
