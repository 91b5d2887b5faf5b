using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansChat.Tests.Infrastructure;
using static OrleansChat.Tests.Auth.AuthRequests;

namespace OrleansChat.Tests.Auth;

/// <summary>The embedded default: no token trusts the body (v1), a token is handled as in Jwt mode, dev tokens are served.</summary>
public sealed class DevelopmentModeTests(DevelopmentApiFixture fixture) : IClassFixture<DevelopmentApiFixture>
{
    private ApiHost Api => fixture.Host;

    private async Task<string> DevTokenAsync(object request)
    {
        var response = await Api.Http.PostAsJsonAsync("/auth/dev-token", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task Without_a_token_the_body_user_id_is_trusted_for_reads_and_writes()
    {
        var room = NewRoom();

        var message = await Api.PostAsync(room, "anyone", "hi");

        Assert.Equal("anyone", message.UserId);
        Assert.Null(message.UserName);
        Assert.Equal(1, (await Api.HistoryAsync(room)).LastSeq);
    }

    [Fact]
    public async Task A_bad_token_is_refused_with_401_invalid_token_rather_than_ignored()
    {
        var room = NewRoom();

        await AssertUnauthorizedAsync(await PostAsync(Api, room, new { userId = "ann", text = "hi" }, "garbage"), tokenSent: true);
        await AssertUnauthorizedAsync(await GetAsync(Api, $"/rooms/{room}", Tokens.Mint("ann")), tokenSent: true);
        Assert.Equal(0, (await Api.HistoryAsync(room)).LastSeq);
    }

    [Fact]
    public async Task A_dev_token_posts_as_its_user_with_its_name_and_only_where_it_may()
    {
        var room = NewRoom("dev");
        var token = await DevTokenAsync(new { userId = "ann", name = "Ann", read = new[] { "dev-*" }, write = new[] { room } });

        var posted = await PostAsync(Api, room, new { text = "hello" }, token);
        var elsewhere = await PostAsync(Api, NewRoom("dev"), new { text = "hello" }, token);
        var spoofed = await PostAsync(Api, room, new { userId = "bob", text = "as bob" }, token);

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var message = (await posted.Content.ReadFromJsonAsync<ChatMessage>())!;
        Assert.Equal(("ann", "Ann"), (message.UserId, message.UserName));
        await AssertForbiddenAsync(elsewhere);
        await AssertForbiddenAsync(spoofed);
        await AssertForbiddenAsync(await GetAsync(Api, "/rooms/lobby", token));
        Assert.Equal(1, (await Api.HistoryAsync(room)).LastSeq);
    }

    [Fact]
    public async Task A_dev_token_expires_when_its_answer_says()
    {
        var before = DateTimeOffset.UtcNow;
        var response = await Api.Http.PostAsJsonAsync("/auth/dev-token", new { userId = "ann", ttlSeconds = 120 });

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var expiresAt = body.RootElement.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt, before.AddSeconds(119), DateTimeOffset.UtcNow.AddSeconds(121));
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(body.RootElement.GetProperty("token").GetString());
        Assert.Equal(expiresAt.UtcDateTime, token.ValidTo);
        Assert.Equal("ann", token.Subject);
    }

    public static TheoryData<string> InvalidRequests => new()
    {
        """{}""",
        """{"userId":""}""",
        """{"userId":"ann\u0001"}""",
        $$"""{"userId":"{{new string('a', 65)}}"}""",
        $$"""{"userId":"ann","name":"{{new string('n', 65)}}"}""",
        """{"userId":"ann","name":""}""",
        """{"userId":"ann","ttlSeconds":0}""",
        """{"userId":"ann","ttlSeconds":86401}""",
        """{"userId":"ann","read":[]}""",
        """{"userId":"ann","write":["bad room"]}""",
        """{"userId":"ann","moderate":["t*m"]}""",
        """{"userId":"ann","read":[null]}""",
        """null""",
        """{"userId":"ann","ttlSeconds":"soon"}""",
        """{"userId":""",
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task A_dev_token_request_breaking_a_rule_gets_400_problem_json(string json)
    {
        var response = await Api.Http.PostAsync("/auth/dev-token", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        await OrleansChat.Tests.Api.ValidationTests.AssertProblemAsync(response, 400);
    }

    [Fact]
    public async Task A_dev_token_request_that_is_not_json_gets_415()
    {
        var response = await Api.Http.PostAsync("/auth/dev-token", new StringContent("userId=ann"));

        await OrleansChat.Tests.Api.ValidationTests.AssertProblemAsync(response, 415);
    }
}
