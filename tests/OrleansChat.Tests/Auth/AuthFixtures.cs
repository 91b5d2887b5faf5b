using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansChat.Tests.Api;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Auth;

/// <summary>A node in Jwt mode with the test HS256 key, issuer and audience; "lobby" and "public-*" are readable by anyone.</summary>
public sealed class JwtApiFixture() : EmbeddedApiFixture(AuthSettings.Jwt());

/// <summary>An embedded node with its defaults: Development mode, dev tokens on, a random key per start.</summary>
public sealed class DevelopmentApiFixture : EmbeddedApiFixture;

internal static class AuthSettings
{
    public static Dictionary<string, string?> Jwt(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Chat:Auth:Mode"] = "Jwt",
            ["Chat:Auth:SigningKey"] = Tokens.SigningKeyBase64,
            ["Chat:Auth:Issuer"] = Tokens.Issuer,
            ["Chat:Auth:Audience"] = Tokens.Audience,
            ["Chat:Auth:AnonymousRead:0"] = "lobby",
            ["Chat:Auth:AnonymousRead:1"] = "public-*",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }
}

/// <summary>Requests with or without a token, and the checks every auth test makes on the answers.</summary>
internal static class AuthRequests
{
    public static string NewRoom(string prefix = "r") => $"{prefix}-{Guid.NewGuid():N}";

    public static Task<HttpResponseMessage> PostAsync(ApiHost api, string roomId, object body, string? token = null) =>
        SendAsync(api, HttpMethod.Post, $"/rooms/{roomId}/messages", token, JsonContent.Create(body));

    public static Task<HttpResponseMessage> GetAsync(ApiHost api, string path, string? token = null) =>
        SendAsync(api, HttpMethod.Get, path, token);

    public static async Task<HttpResponseMessage> SendAsync(ApiHost api, HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = Tokens.Bearer(token);
        }

        // The events endpoint streams: headers are enough to judge the answer.
        return await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>401 problem+json with exactly <c>Bearer</c>, or <c>Bearer error="invalid_token"</c> when a token was sent.</summary>
    public static async Task AssertUnauthorizedAsync(HttpResponseMessage response, bool tokenSent)
    {
        await ValidationTests.AssertProblemAsync(response, 401);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal(tokenSent ? "error=\"invalid_token\"" : null, challenge.Parameter);
    }

    public static Task AssertForbiddenAsync(HttpResponseMessage response)
    {
        Assert.Empty(response.Headers.WwwAuthenticate);
        return ValidationTests.AssertProblemAsync(response, 403);
    }

    public static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString()!;
    }

    /// <summary>What any caller can see of a room, read with a token that may read everything.</summary>
    public static async Task<HistoryPage> HistoryAsync(ApiHost api, string roomId)
    {
        var response = await GetAsync(api, $"/rooms/{roomId}/messages", Tokens.Mint("auditor"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<HistoryPage>())!;
    }
}
