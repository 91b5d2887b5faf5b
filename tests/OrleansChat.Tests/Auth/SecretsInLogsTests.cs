using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansChat.Tests.Infrastructure;
using static OrleansChat.Tests.Auth.AuthRequests;

namespace OrleansChat.Tests.Auth;

/// <summary>A token never reaches a log line or a trace, wherever it was sent and whether or not it was valid.</summary>
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task Tokens_in_headers_and_queries_never_appear_in_logs_or_traces_at_trace_level()
    {
        var logs = new LogCapture();
        var traces = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => traces.Enqueue(
                $"{activity.DisplayName} {string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}"))} {string.Join(' ', activity.Baggage)}"),
        };
        ActivitySource.AddActivityListener(listener);
        await using var api = await ApiHost.StartAsync(
            AuthSettings.Jwt(("Chat:Auth:DevTokens", "true")),
            services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                services.Configure<LoggerFilterOptions>(filters =>
                {
                    filters.Rules.Clear();
                    filters.MinLevel = LogLevel.Trace;
                });
            });
        var room = NewRoom("secret");
        var inHeader = Tokens.Mint("ann", new Dictionary<string, object> { ["name"] = "Ann" });
        var inQuery = Tokens.Mint("bob");
        var expiredInQuery = Tokens.Mint("bob", expires: DateTimeOffset.UtcNow.AddMinutes(-5));
        var badInHeader = Tokens.Mint("eve", audience: "elsewhere");
        var notAToken = "not-a-jwt-" + Guid.NewGuid().ToString("N");
        var onOtherEndpoint = Tokens.Mint("carl");

        Assert.Equal(HttpStatusCode.Created, (await PostAsync(api, room, new { text = "one" }, inHeader)).StatusCode);
        await using (var stream = await api.ConnectAsync(room, query: $"?lastEventId=0&access_token={inQuery}"))
        {
            Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
            await stream.WaitForSeqAsync(1);
        }

        await using (var expired = await api.ConnectAsync(room, query: $"?access_token={expiredInQuery}"))
        {
            await AssertUnauthorizedAsync(expired.Response, tokenSent: true);
        }

        await using (var garbage = await api.ConnectAsync(room, query: $"?ACCESS_TOKEN={notAToken}"))
        {
            await AssertUnauthorizedAsync(garbage.Response, tokenSent: true);
        }

        var badHeader = await GetAsync(api, $"/rooms/{room}/events", badInHeader);
        await AssertUnauthorizedAsync(badHeader, tokenSent: true);
        var otherEndpoint = await GetAsync(api, $"/rooms/{room}/messages?access_token={onOtherEndpoint}");
        await AssertUnauthorizedAsync(otherEndpoint, tokenSent: false);
        var issued = await api.Http.PostAsJsonAsync("/auth/dev-token", new { userId = "dana" });
        var devToken = JsonDocument.Parse(await issued.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(api, room, new { text = "two" }, devToken)).StatusCode);
        await api.StopAsync();

        var logged = logs.Text;
        Assert.Contains("Request starting", logged);
        Assert.Contains("access_token=redacted", logged);
        string[] secrets = [inHeader, inQuery, expiredInQuery, badInHeader, notAToken, onOtherEndpoint, devToken];
        foreach (var secret in secrets)
        {
            // The signature is what makes a token usable: neither it nor the whole token may show.
            var signature = secret.Split('.')[^1];
            Assert.DoesNotContain(signature, logged);
            Assert.DoesNotContain(signature, string.Join('\n', traces));
            Assert.DoesNotContain(signature, await badHeader.Content.ReadAsStringAsync());
        }
    }
}
