using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OrleansChat.Tests.Api;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Auth;

/// <summary>Jwt mode: a browser reaches the dashboard by signing in once with a chat_admin token.</summary>
public sealed class DashboardSignInTests(JwtApiFixture fixture) : IClassFixture<JwtApiFixture>
{
    private static readonly Dictionary<string, object> Admin = new() { ["chat_admin"] = "true" };

    private ApiHost Api => fixture.Host;

    [Fact]
    public async Task A_browser_without_a_token_is_sent_to_the_sign_in_page_and_a_script_gets_401()
    {
        using var browser = Browser(out _);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/");
        request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        using var page = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/dashboard/signin", page.Headers.Location?.OriginalString);

        using var signIn = await browser.GetAsync("/dashboard/signin");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("chat_admin", await signIn.Content.ReadAsStringAsync());

        using var data = await browser.GetAsync("/dashboard/DashboardCounters");
        await AuthRequests.AssertUnauthorizedAsync(data, tokenSent: false);
    }

    [Fact]
    public async Task Signing_in_with_an_admin_token_sets_a_strict_httponly_cookie_for_the_dashboard_until_the_token_expires()
    {
        using var browser = Browser(out var cookies);
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        using var response = await SignInAsync(browser, Tokens.Mint("ops", Admin, expires));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("path=/dashboard", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var cookie = Assert.Single(cookies.GetAllCookies());
        Assert.InRange(cookie.Expires.ToUniversalTime(), expires.UtcDateTime.AddSeconds(-2), expires.UtcDateTime.AddSeconds(2));

        using var data = await browser.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
    }

    [Fact]
    public async Task Only_an_admin_token_signs_in()
    {
        using var browser = Browser(out var cookies);
        using (var missing = await browser.PostAsync("/dashboard/signin", content: null))
        {
            await AuthRequests.AssertUnauthorizedAsync(missing, tokenSent: false);
        }

        using (var invalid = await SignInAsync(browser, "not-a-jwt"))
        {
            await AuthRequests.AssertUnauthorizedAsync(invalid, tokenSent: true);
        }

        using (var user = await SignInAsync(browser, Tokens.Mint("ann")))
        {
            await ValidationTests.AssertProblemAsync(user, 403);
        }

        Assert.Empty(cookies.GetAllCookies());
    }

    [Fact]
    public async Task The_cookie_opens_nothing_outside_the_dashboard()
    {
        var token = Tokens.Mint("ops", new Dictionary<string, object>(Admin) { ["chat_write"] = "*" });
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = Api.BaseAddress };
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/rooms/{AuthRequests.NewRoom()}/messages")
        {
            Content = JsonContent.Create(new { text = "via cookie" }),
        };
        post.Headers.Add("Cookie", $"chat_dashboard={token}");
        using var response = await http.SendAsync(post);
        await AuthRequests.AssertUnauthorizedAsync(response, tokenSent: false);
    }

    [Fact]
    public async Task An_expired_token_in_the_cookie_is_refused_and_signing_out_removes_the_cookie()
    {
        using var browser = Browser(out var cookies);
        using (var signIn = await SignInAsync(browser, Tokens.Mint("ops", Admin)))
        {
            Assert.Equal(HttpStatusCode.NoContent, signIn.StatusCode);
        }

        using (var signOut = await browser.PostAsync("/dashboard/signout", content: null))
        {
            Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);
        }

        Assert.Empty(cookies.GetAllCookies());
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = Api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard/DashboardCounters");
        request.Headers.Add("Cookie", $"chat_dashboard={Tokens.Mint("ops", Admin, expires: DateTimeOffset.UtcNow.AddMinutes(-5))}");
        using var expired = await http.SendAsync(request);
        await AuthRequests.AssertUnauthorizedAsync(expired, tokenSent: true);
    }

    private HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = Api.BaseAddress };
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/dashboard/signin");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return browser.SendAsync(request);
    }
}
