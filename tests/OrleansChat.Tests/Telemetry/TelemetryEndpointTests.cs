using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansChat.Telemetry;
using OrleansChat.Tests.Auth;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Telemetry;

/// <summary><c>/metrics</c>, the dashboard and the spans, on a real node.</summary>
public sealed class TelemetryEndpointTests
{
    [Fact]
    public async Task Metrics_after_traffic_carry_the_chat_series_and_orleans_and_aspnetcore_ones()
    {
        await using var api = await ApiHost.StartAsync();
        var room = $"scrape-{Guid.NewGuid():N}";
        await using (var client = await api.ConnectAsync(room))
        {
            await api.PostAsync(room, "ann", "hello");
            await client.WaitForSeqAsync(1);
        }

        // The exporter caches a scrape briefly; what a later scrape shows is what matters.
        string text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = await api.Http.GetStringAsync("/metrics");
            return text.Contains("chat_sse_streams_closed_total");
        }, "the closed stream is scraped");

        foreach (var series in new[]
        {
            "chat_messages_posted_total{otel_scope_name=\"OrleansChat\",outcome=\"created\"} 1",
            "chat_sse_streams_opened_total", "chat_sse_streams_open", "chat_sse_events_written_total",
            "chat_delivery_lag_seconds_bucket", "chat_post_duration_seconds_bucket", "chat_store_append_duration_seconds_bucket",
            "chat_feeds_active", "orleans_", "http_server_request_duration_seconds", "kestrel_active_connections", "dotnet_gc_",
        })
        {
            Assert.Contains(series, text);
        }

        Assert.DoesNotContain(room, text);
    }

    [Fact]
    public async Task With_metrics_disabled_there_is_no_metrics_endpoint()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:Metrics:Enabled"] = "false" });
        using var response = await api.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await api.PostAsync($"off-{Guid.NewGuid():N}", "ann", "still works");
    }

    [Fact]
    public async Task The_dashboard_is_open_in_development_mode()
    {
        await using var api = await ApiHost.StartAsync();
        using var page = await api.Http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Dashboard", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var counters = await api.Http.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
    }

    [Fact]
    public async Task A_node_with_the_dashboard_off_serves_no_dashboard_and_its_silo_collects_nothing_for_it()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:Dashboard:Enabled"] = "false" });
        using var page = await api.Http.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.DoesNotContain(api.Services.GetServices<IIncomingGrainCallFilter>(), filter => filter.GetType().Namespace!.StartsWith("Orleans.Dashboard", StringComparison.Ordinal));
        Assert.DoesNotContain(api.Services.GetServices<IHostedService>(), service => service.GetType().Namespace!.StartsWith("Orleans.Dashboard", StringComparison.Ordinal));

        var room = $"no-dashboard-{Guid.NewGuid():N}";
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "hello");
        await client.WaitForSeqAsync(1);
    }

    [Fact]
    public async Task In_jwt_mode_the_dashboard_needs_a_chat_admin_claim_and_refusals_are_counted()
    {
        await using var api = await ApiHost.StartAsync(AuthSettings.Jwt());
        using var rejections = ChatMeters.Collect<long>(api.Services, "chat.rejections");

        Assert.Equal(HttpStatusCode.Unauthorized, await DashboardStatusAsync(api, token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await DashboardStatusAsync(api, "not-a-jwt"));
        Assert.Equal(HttpStatusCode.Forbidden, await DashboardStatusAsync(api, Tokens.Mint("ann")));
        Assert.Equal(HttpStatusCode.OK, await DashboardStatusAsync(api, Tokens.Mint("ops", new Dictionary<string, object> { ["chat_admin"] = "true" })));

        Assert.Equal(1, rejections.Sum("reason", "token_missing"));
        Assert.Equal(1, rejections.Sum("reason", "token_invalid"));
        Assert.Equal(1, rejections.Sum("reason", "forbidden"));
    }

    [Fact]
    public async Task A_post_is_one_trace_from_the_endpoint_through_the_grain_call_to_the_store_append()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ChatTelemetry.Name || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        await using var api = await ApiHost.StartAsync();
        var room = $"trace-{Guid.NewGuid():N}";
        await api.PostAsync(room, "ann", "traced");
        await using (var stream = await api.ConnectAsync(room, lastEventId: "0"))
        {
            await stream.WaitForSeqAsync(1);
        }

        Activity Span(string name) => Eventually.Single(spans, s => s.OperationName == name && s.Source.Name == ChatTelemetry.Name);
        var post = Span("chat.post");
        var append = Span("chat.store.append");
        Assert.Equal(post.TraceId, append.TraceId);
        Assert.NotEqual(post.SpanId, append.ParentSpanId);  // a grain call span lies between them
        // The listener is process-wide and other hosts' activities keep arriving: look at a copy.
        Activity[] stopped;
        lock (spans)
        {
            stopped = [.. spans];
        }

        Assert.Contains(stopped, s => s.SpanId == append.ParentSpanId && s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        var open = Span("chat.stream.open");
        Assert.Equal(open.SpanId, Span("chat.stream.replay").ParentSpanId);
    }

    private static async Task<HttpStatusCode> DashboardStatusAsync(ApiHost api, string? token)
    {
        using var response = await AuthRequests.GetAsync(api, "/dashboard/DashboardCounters", token);
        return response.StatusCode;
    }
}
