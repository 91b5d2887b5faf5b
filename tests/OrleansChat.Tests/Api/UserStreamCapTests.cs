using System.Net;
using OrleansChat.Tests.Auth;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>One silo and two API nodes in client mode, Jwt mode, a user may hold 3 streams across both.</summary>
public sealed class CappedTwoNodeFixture : IAsyncLifetime
{
    public const int MaxStreamsPerUser = 3;

    internal SiloHost Silo { get; private set; } = null!;

    internal ApiHost NodeA { get; private set; } = null!;

    internal ApiHost NodeB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SiloHost.StartAsync();
        var settings = AuthSettings.Jwt(("Chat:Auth:MaxStreamsPerUser", MaxStreamsPerUser.ToString()));
        foreach (var (key, value) in Silo.ClientSettings)
        {
            settings[key] = value;
        }

        NodeA = await ApiHost.StartAsync(settings);
        NodeB = await ApiHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
        await Silo.DisposeAsync();
    }
}

public sealed class UserStreamCapTests(CappedTwoNodeFixture nodes) : IClassFixture<CappedTwoNodeFixture>
{
    [Fact]
    public async Task A_users_streams_are_capped_across_both_nodes_and_a_closed_one_frees_its_place_on_the_other()
    {
        var room = AuthRequests.NewRoom("cap");
        var user = $"ann-{Guid.NewGuid():N}";
        var open = new List<SseClient>();
        try
        {
            open.Add(await ConnectAsync(nodes.NodeA, room, user));
            open.Add(await ConnectAsync(nodes.NodeA, room, user));
            open.Add(await ConnectAsync(nodes.NodeB, room, user));
            Assert.All(open, client => Assert.Equal(HttpStatusCode.OK, client.Response.StatusCode));

            foreach (var node in new[] { nodes.NodeA, nodes.NodeB })
            {
                await using var refused = await ConnectAsync(node, room, user);
                Assert.Equal(TimeSpan.FromSeconds(5), refused.Response.Headers.RetryAfter?.Delta);
                await ValidationTests.AssertProblemAsync(refused.Response, 429);
            }

            // Another user is not affected by ann's streams.
            await using (var bob = await ConnectAsync(nodes.NodeB, room, $"bob-{Guid.NewGuid():N}"))
            {
                Assert.Equal(HttpStatusCode.OK, bob.Response.StatusCode);
            }

            // A stream closed on A is released (one grain call) and B admits the user again.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await Eventually.TrueAsync(async () =>
            {
                var again = await ConnectAsync(nodes.NodeB, room, user);
                if (again.Response.StatusCode != HttpStatusCode.OK)
                {
                    await again.DisposeAsync();
                    return false;
                }

                open.Add(again);
                return true;
            }, "node B admits a stream in place of the one closed on node A");

            // And the stream it admitted is a working one.
            using (var post = await nodes.NodeA.Http.SendAsync(Post(room, user, "after the cap")))
            {
                Assert.Equal(HttpStatusCode.Created, post.StatusCode);
            }

            await open[^1].WaitForSeqAsync(1);
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static Task<SseClient> ConnectAsync(ApiHost node, string room, string user) =>
        SseClient.ConnectAsync(node.BaseAddress, $"/rooms/{room}/events", bearerToken: Tokens.Mint(user));

    private static HttpRequestMessage Post(string room, string user, string text) =>
        new(HttpMethod.Post, $"/rooms/{room}/messages")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { text }),
            Headers = { Authorization = Tokens.Bearer(Tokens.Mint(user)) },
        };
}
