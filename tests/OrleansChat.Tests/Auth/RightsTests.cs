using System.Net;
using OrleansChat.Tests.Infrastructure;
using static OrleansChat.Tests.Auth.AuthRequests;

namespace OrleansChat.Tests.Auth;

/// <summary>chat_read / chat_write room patterns (exact, prefix*, *) decide each request; a token without them reads and writes all.</summary>
public sealed class RightsTests(JwtApiFixture fixture) : IClassFixture<JwtApiFixture>
{
    private ApiHost Api => fixture.Host;

    private static string Token(object? read = null, object? write = null, object? moderate = null)
    {
        var claims = new Dictionary<string, object>();
        if (read is not null)
        {
            claims["chat_read"] = read;
        }

        if (write is not null)
        {
            claims["chat_write"] = write;
        }

        if (moderate is not null)
        {
            claims["chat_moderate"] = moderate;
        }

        return Tokens.Mint("ann", claims);
    }

    [Fact]
    public async Task A_token_without_chat_claims_reads_and_writes_every_room()
    {
        var token = Token();
        var room = NewRoom("any");

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, room, new { text = "hi" }, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, $"/rooms/{room}/messages", token)).StatusCode);
    }

    [Fact]
    public async Task An_exact_pattern_grants_that_room_only()
    {
        var room = NewRoom("exact");
        var token = Token(read: room, write: room);

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, room, new { text = "hi" }, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, $"/rooms/{room}/messages/1", token)).StatusCode);
        await AssertForbiddenAsync(await GetAsync(Api, $"/rooms/{room}x/messages", token));
        await AssertForbiddenAsync(await PostAsync(Api, $"{room}x", new { text = "hi" }, token));
        await AssertForbiddenAsync(await GetAsync(Api, $"/rooms/{room.ToUpperInvariant()}", token));
    }

    [Fact]
    public async Task A_prefix_pattern_grants_the_rooms_starting_with_it()
    {
        var team = $"team{Guid.NewGuid():N}"[..12] + "-";
        var token = Token(read: new[] { team + "*", "other" }, write: new[] { team + "a" });

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, $"/rooms/{team}b/messages", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, $"/rooms/{team}", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, "/rooms/other", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, team + "a", new { text = "hi" }, token)).StatusCode);

        var forbidden = await PostAsync(Api, team + "b", new { text = "hi" }, token);
        await AssertForbiddenAsync(forbidden);
        Assert.Contains("chat_write", await DetailAsync(forbidden));
        Assert.Equal(0, (await HistoryAsync(Api, team + "b")).LastSeq);
        await AssertForbiddenAsync(await GetAsync(Api, $"/rooms/x{team}/messages", token));
    }

    [Fact]
    public async Task A_star_pattern_grants_every_room()
    {
        var token = Token(read: "*", write: "*");

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, NewRoom("s"), new { text = "hi" }, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, $"/rooms/{NewRoom("t")}", token)).StatusCode);
    }

    [Fact]
    public async Task Each_right_comes_from_its_own_claim_only()
    {
        var room = NewRoom("own");
        var readOnly = Token(read: "*");
        var writeOnly = Token(write: "*");
        var moderateOnly = Token(moderate: "*");

        await AssertForbiddenAsync(await PostAsync(Api, room, new { text = "hi" }, readOnly));
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, room, new { text = "hi" }, writeOnly)).StatusCode);
        await AssertForbiddenAsync(await GetAsync(Api, $"/rooms/{room}/messages", writeOnly));
        await AssertForbiddenAsync(await PostAsync(Api, room, new { text = "hi" }, moderateOnly));
        await AssertForbiddenAsync(await GetAsync(Api, $"/rooms/{room}", moderateOnly));
    }

    [Fact]
    public async Task Reading_the_event_stream_needs_chat_read_on_its_room()
    {
        var room = NewRoom("ev");
        var token = Token(read: room);

        await using var allowed = await SseClient.ConnectAsync(Api.BaseAddress, $"/rooms/{room}/events", bearerToken: token);
        await using var denied = await SseClient.ConnectAsync(Api.BaseAddress, $"/rooms/{room}x/events", bearerToken: token);

        Assert.Equal(HttpStatusCode.OK, allowed.Response.StatusCode);
        await AssertForbiddenAsync(denied.Response);
    }

    [Fact]
    public async Task A_room_anyone_may_read_is_readable_whatever_the_token_grants()
    {
        var token = Token(read: "elsewhere", write: "elsewhere");

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, "/rooms/lobby/messages", token)).StatusCode);
        await AssertForbiddenAsync(await PostAsync(Api, "lobby", new { text = "hi" }, token));
    }
}
