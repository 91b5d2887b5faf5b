using System.Net;
using System.Net.Http.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansChat.Tests.Infrastructure;
using static OrleansChat.Tests.Auth.AuthRequests;

namespace OrleansChat.Tests.Auth;

/// <summary>Jwt mode: each 401 and 403 of docs/api.md, anonymous reads, and who a token posts as.</summary>
public sealed class JwtAccessTests(JwtApiFixture fixture) : IClassFixture<JwtApiFixture>
{
    private ApiHost Api => fixture.Host;

    public static TheoryData<string> ReadPaths => new() { "", "/messages", "/messages/1", "/events" };

    [Fact]
    public async Task A_post_without_a_token_gets_401_bearer_and_stores_nothing()
    {
        var room = NewRoom();

        var response = await PostAsync(Api, room, new { userId = "ann", text = "hi" });

        await AssertUnauthorizedAsync(response, tokenSent: false);
        Assert.Equal(0, (await HistoryAsync(Api, room)).LastSeq);
    }

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task A_read_without_a_token_of_a_room_not_open_to_anyone_gets_401(string path)
    {
        await AssertUnauthorizedAsync(await GetAsync(Api, $"/rooms/{NewRoom()}{path}"), tokenSent: false);
    }

    [Theory]
    [InlineData("lobby")]
    [InlineData("public-")]
    [InlineData("public-news")]
    public async Task Rooms_matching_anonymous_read_patterns_are_readable_without_a_token_but_not_writable(string room)
    {
        var posted = await PostAsync(Api, room, new { text = "for everyone" }, Tokens.Mint("ann"));
        Assert.True(posted.IsSuccessStatusCode);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Api, $"/rooms/{room}")).StatusCode);
        var page = (await Api.Http.GetFromJsonAsync<HistoryPage>($"/rooms/{room}/messages"))!;
        Assert.Contains(page.Messages, m => m.Text == "for everyone");
        await using (var stream = await Api.ConnectAsync(room))
        {
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        }

        await AssertUnauthorizedAsync(await PostAsync(Api, room, new { userId = "ann", text = "sneaky" }), tokenSent: false);
    }

    [Theory]
    [InlineData("lobby2")]
    [InlineData("publicnews")]
    [InlineData("Lobby")]
    public async Task Rooms_near_an_anonymous_pattern_still_need_a_token(string room)
    {
        await AssertUnauthorizedAsync(await GetAsync(Api, $"/rooms/{room}/messages"), tokenSent: false);
    }

    [Fact]
    public async Task A_bad_token_gets_401_invalid_token_even_on_a_room_anyone_may_read()
    {
        await AssertUnauthorizedAsync(await GetAsync(Api, "/rooms/lobby/messages", "not-a-jwt"), tokenSent: true);
        await AssertUnauthorizedAsync(await PostAsync(Api, NewRoom(), new { text = "x" }, "not.a.jwt"), tokenSent: true);
    }

    public static TheoryData<string> BadTokenKinds => new()
    {
        "expired 45 s ago", "valid only in 45 s", "another issuer", "no issuer", "another audience", "another key",
        "no sub", "a sub longer than a userId", "a name over 64 characters", "unsigned",
    };

    [Theory]
    [MemberData(nameof(BadTokenKinds))]
    public async Task A_token_that_fails_validation_gets_401_invalid_token_and_stores_nothing(string kind)
    {
        var room = NewRoom();
        var token = BadToken(kind);

        var post = await PostAsync(Api, room, new { text = kind }, token);
        var read = await GetAsync(Api, $"/rooms/{room}/messages", token);

        await AssertUnauthorizedAsync(post, tokenSent: true);
        await AssertUnauthorizedAsync(read, tokenSent: true);
        Assert.DoesNotContain(token, await post.Content.ReadAsStringAsync());
        Assert.Equal(0, (await HistoryAsync(Api, room)).LastSeq);
    }

    [Fact]
    public async Task The_401_detail_says_what_was_wrong_with_the_token()
    {
        var expired = await GetAsync(Api, "/rooms/r/messages", Tokens.Mint("ann", expires: DateTimeOffset.UtcNow.AddMinutes(-2)));
        var early = await GetAsync(Api, "/rooms/r/messages", Tokens.Mint("ann", notBefore: DateTimeOffset.UtcNow.AddMinutes(2), expires: DateTimeOffset.UtcNow.AddMinutes(5)));
        var audience = await GetAsync(Api, "/rooms/r/messages", Tokens.Mint("ann", audience: "other"));

        Assert.Contains("expired", await DetailAsync(expired));
        Assert.Contains("not valid yet", await DetailAsync(early));
        Assert.Contains("audience", await DetailAsync(audience));
    }

    [Fact]
    public async Task Expiry_and_not_before_allow_30_seconds_of_clock_skew()
    {
        var room = NewRoom();
        var justExpired = Tokens.Mint("ann", expires: DateTimeOffset.UtcNow.AddSeconds(-15));
        var almostValid = Tokens.Mint("bob", notBefore: DateTimeOffset.UtcNow.AddSeconds(15), expires: DateTimeOffset.UtcNow.AddMinutes(5));

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, room, new { text = "a" }, justExpired)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, room, new { text = "b" }, almostValid)).StatusCode);
    }

    [Fact]
    public async Task A_token_posts_as_its_sub_with_its_name_in_the_response_history_and_stream()
    {
        var room = NewRoom();
        var token = Tokens.Mint("ann", new Dictionary<string, object> { ["name"] = "Ann Example" });
        await using var stream = await SseClient.ConnectAsync(Api.BaseAddress, $"/rooms/{room}/events", bearerToken: token);
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);

        var response = await PostAsync(Api, room, new { text = "hello", clientMessageId = "c-1" }, token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<ChatMessage>())!;
        Assert.Equal(("ann", "Ann Example"), (created.UserId, created.UserName));
        Assert.Equal(created, Assert.Single((await HistoryAsync(Api, room)).Messages));
        var frame = await stream.NextAsync();
        Assert.Contains("\"userName\":\"Ann Example\"", frame.Data);

        // The same clientMessageId from the same token is a retry: the original comes back.
        var retry = await PostAsync(Api, room, new { userId = "ann", text = "hello", clientMessageId = "c-1" }, token);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task Without_a_name_claim_the_message_has_no_user_name_property()
    {
        var room = NewRoom();

        var response = await PostAsync(Api, room, new { text = "hi" }, Tokens.Mint("bob"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain("userName", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_body_user_id_other_than_the_token_sub_gets_403_and_stores_nothing()
    {
        var room = NewRoom();

        var response = await PostAsync(Api, room, new { userId = "bob", text = "I am bob" }, Tokens.Mint("ann"));

        await AssertForbiddenAsync(response);
        Assert.Contains("sub", await DetailAsync(response));
        Assert.Equal(0, (await HistoryAsync(Api, room)).LastSeq);
    }

    [Fact]
    public async Task The_access_token_query_parameter_is_taken_on_the_event_stream_only()
    {
        var room = NewRoom();
        var token = Tokens.Mint("ann");

        await using var stream = await Api.ConnectAsync(room, query: $"?access_token={token}");
        var history = await GetAsync(Api, $"/rooms/{room}/messages?access_token={token}");

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        await AssertUnauthorizedAsync(history, tokenSent: false);
        await using var bad = await Api.ConnectAsync(room, query: "?access_token=garbage");
        await AssertUnauthorizedAsync(bad.Response, tokenSent: true);
    }

    [Fact]
    public async Task Dev_tokens_are_off_by_default_in_jwt_mode()
    {
        var response = await Api.Http.PostAsJsonAsync("/auth/dev-token", new { userId = "ann" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static string BadToken(string kind)
    {
        var now = DateTimeOffset.UtcNow;
        return kind switch
        {
            "expired 45 s ago" => Tokens.Mint("ann", expires: now.AddSeconds(-45)),
            "valid only in 45 s" => Tokens.Mint("ann", notBefore: now.AddSeconds(45), expires: now.AddMinutes(5)),
            "another issuer" => Tokens.Mint("ann", issuer: "https://elsewhere.test"),
            "no issuer" => Tokens.Mint("ann", issuer: null),
            "another audience" => Tokens.Mint("ann", audience: "someone-else"),
            "another key" => Tokens.Mint("ann", credentials: new(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256)),
            "no sub" => Tokens.Mint(null),
            "a sub longer than a userId" => Tokens.Mint(new string('a', 65)),
            "a name over 64 characters" => Tokens.Mint("ann", new Dictionary<string, object> { ["name"] = new string('n', 65) }),
            "unsigned" => new JsonWebTokenHandler().CreateToken(
                $$"""{"sub":"ann","exp":{{now.AddMinutes(1).ToUnixTimeSeconds()}},"iss":"{{Tokens.Issuer}}","aud":"{{Tokens.Audience}}"}"""),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
