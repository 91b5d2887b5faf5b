using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansChat.Api.Hosting;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>
/// The real API (the same wiring as its Program.cs) on real Kestrel, on a free loopback port: embedded by
/// default, or a cluster client when the settings say so.
/// </summary>
internal sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ApiHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ChatApiExtensions).Assembly.GetName().Name,
            EnvironmentName = "Production",
            ContentRootPath = AppContext.BaseDirectory,
        });
        var siloPort = FreePort.Next();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
            ["Orleans:SiloPort"] = siloPort.ToString(),
            ["Orleans:PrimarySiloPort"] = siloPort.ToString(),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(),
            ["Chat:RateLimit:PostsPerSecond"] = "0",
            // Client nodes default to Jwt; the suites that are not about identity post as the body's userId.
            ["Chat:Auth:Mode"] = "Development",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders().AddFilter((_, level) => level >= LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        services?.Invoke(builder.Services);
        builder.AddChatOrleans();
        builder.AddChatApi();

        var app = builder.Build();
        app.MapChatApi();
        await app.StartAsync();
        return new ApiHost(app, new Uri(app.Urls.Single()));
    }

    public async Task<ChatMessage> PostAsync(string roomId, string userId, string text, string? clientMessageId = null)
    {
        var response = await Http.PostAsJsonAsync($"/rooms/{roomId}/messages", new { userId, text, clientMessageId });
        Assert.True(response.IsSuccessStatusCode, $"POST failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ChatMessage>())!;
    }

    public async Task<HistoryPage> HistoryAsync(string roomId, string query = "") =>
        (await Http.GetFromJsonAsync<HistoryPage>($"/rooms/{roomId}/messages{query}"))!;

    public Task<SseClient> ConnectAsync(string roomId, string? lastEventId = null, string query = "") =>
        SseClient.ConnectAsync(BaseAddress, $"/rooms/{roomId}/events{query}", lastEventId);

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
