using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>
/// The API's own <c>Program</c> on real Kestrel, on a free loopback port: embedded by default, or a cluster client
/// when the settings say so. Settings reach <c>Program</c> as it starts (as its command line would), so the mode and
/// the Orleans wiring are chosen from them; test services are added after the API's own.
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly ApiFactory _factory;

    private ApiHost(ApiFactory factory)
    {
        _factory = factory;
        BaseAddress = factory.ClientOptions.BaseAddress;
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Host.Services;

    public static async Task<ApiHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var siloPort = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var all = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
            ["Orleans:SiloPort"] = siloPort,
            ["Orleans:PrimarySiloPort"] = siloPort,
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Chat:RateLimit:PostsPerSecond"] = "0",
            // Client nodes default to Jwt; the suites that are not about identity post as the body's userId.
            ["Chat:Auth:Mode"] = "Development",
            // Hosts start by the hundred here; WarmUpTests runs the warm-up.
            ["Chat:WarmUp:Posts"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            // A null value takes the test default away: the API's own default applies.
            if (value is null)
            {
                all.Remove(key);
            }
            else
            {
                all[key] = value;
            }
        }

        var factory = new ApiFactory(all, services);
        factory.UseKestrel(0);
        // StartServer blocks while the host (and an embedded silo) starts.
        await Task.Run(factory.StartServer);
        return new ApiHost(factory);
    }

    public async Task<ChatMessage> PostAsync(string roomId, string userId, string text, string? clientMessageId = null)
    {
        var response = await Http.PostAsJsonAsync($"/rooms/{roomId}/messages", new { userId, text, clientMessageId });
        Assert.True(response.IsSuccessStatusCode, $"POST failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ChatMessage>())!;
    }

    /// <summary>The room's epoch, as room info tells it (null for an empty room).</summary>
    public async Task<string?> EpochAsync(string roomId) =>
        (await Http.GetFromJsonAsync<RoomInfo>($"/rooms/{roomId}"))!.Epoch;

    public async Task<HistoryPage> HistoryAsync(string roomId, string query = "") =>
        (await Http.GetFromJsonAsync<HistoryPage>($"/rooms/{roomId}/messages{query}"))!;

    public Task<SseClient> ConnectAsync(string roomId, string? lastEventId = null, string query = "") =>
        SseClient.ConnectAsync(BaseAddress, $"/rooms/{roomId}/events{query}", lastEventId);

    public Task StopAsync() => _factory.Host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class ApiFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services)
        : WebApplicationFactory<Program>
    {
        private IHost? _host;

        public IHost Host => _host ?? throw new InvalidOperationException("The API has not started.");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(Environments.Production);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureLogging(logging => logging.ClearProviders().AddFilter((_, level) => level >= LogLevel.Warning));
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        }

        protected override IHost CreateHost(IHostBuilder builder) => _host = base.CreateHost(builder);
    }
}
