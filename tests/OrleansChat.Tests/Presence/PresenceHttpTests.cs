using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansChat.Tests.Api;
using OrleansChat.Tests.Auth;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Presence;

/// <summary>One silo and two API nodes in Jwt mode with a short grace and lease.</summary>
public sealed class PresenceTwoNodeFixture : IAsyncLifetime
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    internal SiloHost Silo { get; private set; } = null!;

    internal ApiHost NodeA { get; private set; } = null!;

    internal ApiHost NodeB { get; private set; } = null!;

    /// <summary>The settings of both nodes, for a test that starts a node of its own.</summary>
    internal Dictionary<string, string?> Settings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SiloHost.StartAsync();
        var settings = Settings = AuthSettings.Jwt(
            ("Chat:Presence:GraceSeconds", ((int)Grace.TotalSeconds).ToString()),
            ("Chat:Presence:LeaseSeconds", "6"));
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

public sealed class PresenceHttpTests(PresenceTwoNodeFixture nodes) : IClassFixture<PresenceTwoNodeFixture>
{
    private static string Token(string user) => Tokens.Mint(user, new Dictionary<string, object> { ["name"] = user.ToUpperInvariant() });

    private static Task<SseClient> ConnectAsync(ApiHost node, string room, string? user, bool presence = false) =>
        SseClient.ConnectAsync(node.BaseAddress, $"/rooms/{room}/events{(presence ? "?presence=true" : "")}", bearerToken: user is null ? null : Token(user));

    /// <summary>
    /// "+bob", "-bob", "~bob" (typing) for each presence event so far, but the watcher's own (ann's): it joins with
    /// this stream, before or after the stream's first <c>presence</c> event.
    /// </summary>
    private static string[] Moves(SseClient client) =>
    [
        .. client.Items.Where(i => i.EventType is "join" or "leave" or "typing" && !i.Data.Contains("\"userId\":\"ann\"", StringComparison.Ordinal))
            .Select(i => (i.EventType switch { "join" => "+", "leave" => "-", _ => "~" }) + JsonDocument.Parse(i.Data).RootElement.GetProperty("userId").GetString()),
    ];

    private static Task ExpectMovesAsync(SseClient watcher, params string[] moves) => ExpectMovesAsync(watcher, null, moves);

    private static Task ExpectMovesAsync(SseClient watcher, TimeSpan? timeout, params string[] moves) =>
        Eventually.TrueAsync(() => Moves(watcher).SequenceEqual(moves), $"the watcher saw [{string.Join(",", moves)}] (has [{string.Join(",", Moves(watcher))}])", timeout);

    private static async Task<JsonElement> PresenceAsync(ApiHost node, string room)
    {
        var response = await AuthRequests.GetAsync(node, $"/rooms/{room}/presence", Token("auditor"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    private static Task<HttpResponseMessage> TypingAsync(ApiHost node, string room, string token) =>
        AuthRequests.SendAsync(node, HttpMethod.Post, $"/rooms/{room}/typing", token);

    [Fact]
    public async Task A_user_who_opens_a_stream_on_one_node_joins_on_the_other_and_leaves_after_the_grace()
    {
        var room = AuthRequests.NewRoom("presence");
        await using var watcher = await ConnectAsync(nodes.NodeA, room, "ann", presence: true);
        var first = await watcher.NextAsync();
        Assert.Equal(("presence", null), (first.EventType, first.EventId));

        var bob = await ConnectAsync(nodes.NodeB, room, "bob");
        await ExpectMovesAsync(watcher, "+bob");
        var presence = await PresenceAsync(nodes.NodeB, room);
        Assert.Equal(2, presence.GetProperty("count").GetInt32());
        Assert.Equal(["ann", "bob"], presence.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("userId").GetString()).Order());
        Assert.Equal("BOB", presence.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("userId").GetString() == "bob").GetProperty("userName").GetString());

        var closed = DateTime.UtcNow;
        await bob.DisposeAsync();
        await ExpectMovesAsync(watcher, "+bob", "-bob");
        Assert.True(DateTime.UtcNow - closed >= PresenceTwoNodeFixture.Grace, "bob left only after the grace");
        // Nothing was posted: every line of the stream is presence, and none of it has an id.
        Assert.DoesNotContain(watcher.RawText.Split('\n'), line => line.StartsWith("id:", StringComparison.Ordinal));
        Assert.Equal(1, (await PresenceAsync(nodes.NodeA, room)).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task A_reconnect_on_the_other_node_within_the_grace_emits_neither_leave_nor_join()
    {
        var room = AuthRequests.NewRoom("presence");
        await using var watcher = await ConnectAsync(nodes.NodeB, room, "ann", presence: true);
        var bob = await ConnectAsync(nodes.NodeA, room, "bob");
        await ExpectMovesAsync(watcher, "+bob");

        await bob.DisposeAsync();
        await using var again = await ConnectAsync(nodes.NodeB, room, "bob");
        // Nothing may happen over a whole grace, so this waits one out, then lets a sentinel's join show the stream is live.
        await Task.Delay(PresenceTwoNodeFixture.Grace + TimeSpan.FromSeconds(1));
        await using var sentinel = await ConnectAsync(nodes.NodeA, room, "sentinel");

        await ExpectMovesAsync(watcher, "+bob", "+sentinel");
        Assert.Equal(3, (await PresenceAsync(nodes.NodeA, room)).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Typing_is_forwarded_once_per_user_per_two_seconds_across_both_nodes_and_every_request_gets_204()
    {
        var room = AuthRequests.NewRoom("presence");
        await using var watcher = await ConnectAsync(nodes.NodeA, room, "ann", presence: true);
        await watcher.NextAsync();
        var bob = Token("bob");

        var started = DateTime.UtcNow;
        foreach (var node in new[] { nodes.NodeA, nodes.NodeB, nodes.NodeA, nodes.NodeB })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await TypingAsync(node, room, bob)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await TypingAsync(nodes.NodeB, room, Token("carl"))).StatusCode);
        await ExpectMovesAsync(watcher, "~bob", "~carl");
        var typing = watcher.Items.First(i => i.EventType == "typing");
        Assert.Null(typing.EventId);
        Assert.Equal($"{{\"roomId\":\"{room}\",\"userId\":\"bob\",\"userName\":\"BOB\"}}", typing.Data);

        await Eventually.TrueAsync(() => DateTime.UtcNow - started > TimeSpan.FromSeconds(2.5), "two seconds have passed");
        Assert.Equal(HttpStatusCode.NoContent, (await TypingAsync(nodes.NodeB, room, bob)).StatusCode);
        await ExpectMovesAsync(watcher, "~bob", "~carl", "~bob");
    }

    [Fact]
    public async Task Anonymous_streams_only_count_and_presence_needs_read_while_typing_needs_write()
    {
        var room = AuthRequests.NewRoom("public");
        await using var anonymous = await ConnectAsync(nodes.NodeA, room, user: null);
        Assert.Equal(HttpStatusCode.OK, anonymous.Response.StatusCode);
        await Eventually.TrueAsync(async () => (await PresenceAsync(nodes.NodeB, room)).GetProperty("anonymous").GetInt32() == 1, "the anonymous stream counted");
        var presence = await PresenceAsync(nodes.NodeB, room);
        Assert.Equal((0, 0), (presence.GetProperty("count").GetInt32(), presence.GetProperty("members").GetArrayLength()));

        var privateRoom = AuthRequests.NewRoom("closed");
        await AuthRequests.AssertUnauthorizedAsync(await AuthRequests.GetAsync(nodes.NodeA, $"/rooms/{privateRoom}/presence"), tokenSent: false);
        await AuthRequests.AssertUnauthorizedAsync(await AuthRequests.SendAsync(nodes.NodeA, HttpMethod.Post, $"/rooms/{room}/typing", null), tokenSent: false);
        var readOnly = Tokens.Mint("reader", new Dictionary<string, object> { ["chat_read"] = "*" });
        await AuthRequests.AssertForbiddenAsync(await TypingAsync(nodes.NodeA, room, readOnly));
        var badRoom = await TypingAsync(nodes.NodeA, "-bad", Token("bob"));
        await ValidationTests.AssertProblemAsync(badRoom, 400);
    }

    [Fact]
    public async Task The_users_of_a_node_that_stops_gracefully_leave_after_the_grace_not_the_lease()
    {
        var room = AuthRequests.NewRoom("presence");
        await using var watcher = await ConnectAsync(nodes.NodeA, room, "ann", presence: true);
        // A lease far longer than the grace plus a slow shutdown, so that only the node's release can explain an early leave.
        var nodeC = await ApiHost.StartAsync(new Dictionary<string, string?>(nodes.Settings) { ["Chat:Presence:LeaseSeconds"] = "60" });
        try
        {
            await using var bob = await ConnectAsync(nodeC, room, "bob");
            await ExpectMovesAsync(watcher, "+bob");

            var stopped = DateTime.UtcNow;
            await nodeC.StopAsync();
            // Waited for as long as the assertion below allows, still far from the 60 s lease. A release lost under the
            // stop (PresenceReporterStopTests) showed here as a leave only after the lease.
            await ExpectMovesAsync(watcher, TimeSpan.FromSeconds(30) - (DateTime.UtcNow - stopped), "+bob", "-bob");
            var leftAfter = DateTime.UtcNow - stopped;
            // Node C's lease is 60 s: a leave well before it came from the node's release, after the 2 s grace.
            Assert.True(leftAfter < TimeSpan.FromSeconds(30), $"bob left {leftAfter.TotalSeconds:0.0} s after the node stopped");
        }
        finally
        {
            await nodeC.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_presence()
    {
        var document = await nodes.NodeA.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");

        Assert.True(paths.GetProperty("/rooms/{roomId}/presence").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/rooms/{roomId}/typing").TryGetProperty("post", out _));
    }
}
