using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansChat.Tests.Api;
using OrleansChat.Tests.Infrastructure;
using static OrleansChat.Tests.Auth.AuthRequests;

namespace OrleansChat.Tests.Auth;

/// <summary>Jwt mode with dev tokens switched on explicitly (as cluster.sh runs it) and a tight post rate limit.</summary>
public sealed class JwtDevTokensFixture() : EmbeddedApiFixture(AuthSettings.Jwt(
    ("Chat:Auth:DevTokens", "true"),
    ("Chat:RateLimit:PostsPerSecond", "1"),
    ("Chat:RateLimit:Burst", "2")));

public sealed class JwtDevTokenAndRateLimitTests(JwtDevTokensFixture fixture) : IClassFixture<JwtDevTokensFixture>
{
    private ApiHost Api => fixture.Host;

    [Fact]
    public async Task Dev_tokens_switched_on_in_jwt_mode_are_signed_with_the_shared_key_issuer_and_audience()
    {
        var response = await Api.Http.PostAsJsonAsync("/auth/dev-token", new { userId = "dev-ann", name = "Ann" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("token").GetString()!;

        var posted = await PostAsync(Api, NewRoom(), new { text = "hi" }, token);

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var parsed = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token);
        Assert.Equal((Tokens.Issuer, Tokens.Audience), (parsed.Issuer, parsed.Audiences.Single()));
    }

    [Fact]
    public async Task Posts_are_limited_per_user_so_another_user_at_the_same_address_still_posts()
    {
        var room = NewRoom();
        var ann = Tokens.Mint("rl-ann");
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            responses.Add(await PostAsync(Api, room, new { text = $"m{i}" }, ann));
        }

        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(created, 2, 4);
        Assert.Equal(6 - created, limited.Count);
        foreach (var response in limited)
        {
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            await ValidationTests.AssertProblemAsync(response, 429);
        }

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(Api, room, new { text = "bob's turn" }, Tokens.Mint("rl-bob"))).StatusCode);
        Assert.Equal(created + 1, (await HistoryAsync(Api, room)).LastSeq);
    }
}
