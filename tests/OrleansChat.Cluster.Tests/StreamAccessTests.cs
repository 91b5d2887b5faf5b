using System.Diagnostics;
using System.Net;
using OrleansChat.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests;

/// <summary>Who may hold event streams open on the real cluster: the per-user cap across nodes, and tokens kept out of logs.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class StreamAccessTests(LocalCluster cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private const int MaxStreamsPerUser = 32;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => cluster.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_streams_of_a_killed_api_node_stop_counting_toward_the_users_cap_within_the_lease_period()
    {
        var room = Rooms.NewId("cap-kill");
        var user = $"capped-{Guid.NewGuid():N}"[..20];
        var onApi1 = new List<HttpResponseMessage>();
        using var http1 = new HttpClient { BaseAddress = LocalCluster.Api1, Timeout = Patience };
        using var http2 = new HttpClient { BaseAddress = LocalCluster.Api2, Timeout = Patience };
        try
        {
            for (var i = 0; i < MaxStreamsPerUser; i++)
            {
                var response = await OpenAsync(http1, room, user);
                onApi1.Add(response);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // The cap holds across nodes: api2 counts what api1 holds.
            using (var refused = await OpenAsync(http2, room, user))
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
            }

            var killedAt = Stopwatch.StartNew();
            await cluster.KillAsync("api1");
            HttpResponseMessage? admitted = null;
            await Poll.UntilAsync(async () =>
            {
                var response = await OpenAsync(http2, room, user);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    admitted = response;
                    return true;
                }

                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                response.Dispose();
                return false;
            }, "api2 admits the user's stream again", Patience);
            var freedAfter = killedAt.Elapsed;
            admitted!.Dispose();

            Measurements.Record(output, $"per-user stream cap: api1 SIGKILLed holding {MaxStreamsPerUser} streams; api2 admitted the user again after {freedAfter.TotalSeconds:0.0} s (lease {LocalCluster.StreamLeaseSeconds} s)");
            // Polls are 50 ms apart, but each is a request on a loaded machine: a second of slack.
            Assert.True(freedAfter < TimeSpan.FromSeconds(LocalCluster.StreamLeaseSeconds + 1),
                $"The killed node's leases counted for {freedAfter.TotalSeconds:0.0} s, longer than the {LocalCluster.StreamLeaseSeconds} s lease period.");
        }
        finally
        {
            onApi1.ForEach(response => response.Dispose());
        }
    }

    [Fact]
    public async Task An_event_stream_opened_through_nginx_with_access_token_leaves_no_trace_of_the_token_in_the_access_log()
    {
        var room = Rooms.NewId("log-token");
        var token = ClusterTokens.Mint("log-reader");
        var accessLog = Path.Combine(LocalCluster.LogDirectory, "nginx-access.log");
        using (var http = new HttpClient { BaseAddress = LocalCluster.Nginx, Timeout = Patience })
        using (var stream = await http.GetAsync($"/rooms/{room}/events?access_token={token}&lastEventId=0", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        }

        // nginx writes a request's line when it ends, here when the client has gone.
        await Poll.UntilAsync(() => File.Exists(accessLog) && File.ReadAllText(accessLog).Contains($"/rooms/{room}/events"),
            "nginx logged the stream", Patience);
        var log = File.ReadAllText(accessLog);
        Assert.DoesNotContain(token, log);
        // Nor its signature alone, as a log line cut short might hold it.
        Assert.DoesNotContain(token.Split('.')[2], log);
        Assert.DoesNotContain("access_token", log);
    }

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient http, string room, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{room}/events");
        request.Headers.Authorization = ClusterTokens.Bearer(user);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
