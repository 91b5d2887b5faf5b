using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>An operator of the loopback cluster (Jwt mode) opens the dashboard in a browser with <c>cluster.sh admin-token</c>.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class DashboardSignInTests(LocalCluster cluster) : IAsyncLifetime
{
    public Task InitializeAsync() => cluster.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_admin_token_from_cluster_sh_signs_a_browser_in_through_nginx_and_the_dashboard_shows_both_silos()
    {
        var token = await AdminTokenAsync();

        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = LocalCluster.Nginx,
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var signIn = new HttpRequestMessage(HttpMethod.Post, "/dashboard/signin") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using (var response = await browser.SendAsync(signIn))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using var page = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // The silos report to the dashboard every few seconds after it first asks.
        await Poll.UntilAsync(async () =>
        {
            using var stats = await browser.GetAsync("/dashboard/DashboardCounters");
            stats.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await stats.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("totalActiveHostCount").GetInt32() == 2;
        }, "the dashboard counts both silos", TimeSpan.FromSeconds(60));
    }

    /// <summary>What <c>cluster.sh admin-token</c> prints; the token goes nowhere else, not even into the test output.</summary>
    private static async Task<string> AdminTokenAsync()
    {
        var run = await ExternalCommand.RunAsync(
            Path.Combine(LocalCluster.RepositoryRoot, "deploy", "local", "cluster.sh"), ["admin-token", "120"], TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, $"cluster.sh admin-token exited with {run.ExitCode}: {run.Errors}");
        return run.Output.Trim();
    }
}
