using System.Net;
using System.Net.Http.Json;
using OrleansChat.Tests.Infrastructure;
using static OrleansChat.Tests.Auth.AuthRequests;

namespace OrleansChat.Tests.Auth;

/// <summary>Keys from a real OpenID Connect discovery endpoint on loopback: RS256, ES256, and a key published later.</summary>
public sealed class OidcTests : IAsyncLifetime
{
    private OidcProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await OidcProvider.StartAsync();

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    private Task<ApiHost> StartNodeAsync() => ApiHost.StartAsync(new Dictionary<string, string?>
    {
        ["Chat:Auth:Mode"] = "Jwt",
        ["Chat:Auth:Authority"] = _provider.Authority,
        ["Chat:Auth:RequireHttpsMetadata"] = "false",
        ["Chat:Auth:Issuer"] = _provider.Authority,
        ["Chat:Auth:Audience"] = Tokens.Audience,
    });

    [Fact]
    public async Task Rs256_and_es256_tokens_signed_by_the_authority_are_accepted_and_others_refused()
    {
        var rsa = _provider.AddRsaKey("rsa-1");
        var ec = _provider.AddEcKey("ec-1");
        await using var api = await StartNodeAsync();
        var room = NewRoom("oidc");

        var byRsa = await PostAsync(api, room, new { text = "rs256" }, Tokens.Mint("ann", issuer: _provider.Authority, credentials: rsa));
        var byEc = await PostAsync(api, room, new { text = "es256" }, Tokens.Mint("bob", issuer: _provider.Authority, credentials: ec));
        var wrongIssuer = await PostAsync(api, room, new { text = "x" }, Tokens.Mint("eve", credentials: rsa));
        var sharedKey = await PostAsync(api, room, new { text = "x" }, Tokens.Mint("eve", issuer: _provider.Authority));

        Assert.Equal(HttpStatusCode.Created, byRsa.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byEc.StatusCode);
        await AssertUnauthorizedAsync(wrongIssuer, tokenSent: true);
        await AssertUnauthorizedAsync(sharedKey, tokenSent: true);
        Assert.Equal(["ann", "bob"], (await HistoryForAsync(api, room, rsa)).Messages.Select(m => m.UserId));
    }

    [Fact]
    public async Task A_key_published_after_the_node_started_is_picked_up_without_a_restart()
    {
        var first = _provider.AddRsaKey("rotation-1");
        await using var api = await StartNodeAsync();
        var room = NewRoom("rot");
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(api, room, new { text = "old key" }, Tokens.Mint("ann", issuer: _provider.Authority, credentials: first))).StatusCode);

        var next = _provider.AddEcKey("rotation-2");
        // Polled: the retry with the same clientMessageId stores the message once, whenever the node takes the new key.
        await Eventually.TrueAsync(
            async () => (await PostAsync(api, room, new { text = "new key", clientMessageId = "rotated" }, Tokens.Mint("ann", issuer: _provider.Authority, credentials: next))).StatusCode
                is HttpStatusCode.Created or HttpStatusCode.OK,
            "a token signed with the new kid is accepted");

        Assert.Equal(2, (await HistoryForAsync(api, room, first)).LastSeq);
    }

    private async Task<HistoryPage> HistoryForAsync(ApiHost api, string room, Microsoft.IdentityModel.Tokens.SigningCredentials key)
    {
        var response = await GetAsync(api, $"/rooms/{room}/messages", Tokens.Mint("auditor", issuer: _provider.Authority, credentials: key));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<HistoryPage>())!;
    }
}
