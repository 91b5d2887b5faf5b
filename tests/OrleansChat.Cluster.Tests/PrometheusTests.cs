using System.Net.Http.Json;
using System.Text.Json;
using OrleansChat.Cluster.Tests.Infrastructure;

namespace OrleansChat.Cluster.Tests;

/// <summary>The Prometheus that <c>cluster.sh up</c> starts: it scrapes every node, and holds the project's series after load.</summary>
[Collection(LocalClusterCollection.Name)]
public sealed class PrometheusTests(LocalCluster cluster) : IAsyncLifetime
{
    private static readonly Uri Prometheus = new("http://127.0.0.1:9090");
    private static readonly string[] ApiNodes = ["api1", "api2"];
    private static readonly string[] AllNodes = ["api1", "api2", "silo1", "silo2"];

    public Task InitializeAsync() => cluster.EnsureUpAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task After_load_prometheus_holds_the_chat_and_orleans_series_of_every_node()
    {
        // A live stream and posts on each API node; posts to many rooms, so that both silos host rooms that append.
        foreach (var node in ApiNodes)
        {
            await StreamAndPostAsync(LocalCluster.AddressOf(node), Rooms.NewId($"prom-{node}"), messages: 10);
        }

        using var http = new HttpClient { BaseAddress = LocalCluster.Nginx, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = ClusterTokens.Bearer("prometheus-test");
        for (var i = 0; i < 24; i++)
        {
            (await http.PostAsJsonAsync($"/rooms/{Rooms.NewId("prom-spread")}/messages", new { text = "spread" })).EnsureSuccessStatusCode();
        }

        await ExpectEveryNodeAsync("count by (node) (chat_sse_streams_opened_total)", ApiNodes);
        await ExpectEveryNodeAsync("count by (node) (chat_delivery_lag_seconds_count > 0)", ApiNodes);
        await ExpectEveryNodeAsync("count by (node) (chat_messages_posted_total)", ApiNodes);
        await ExpectEveryNodeAsync("count by (node) (chat_sse_streams_open)", ApiNodes);
        await ExpectEveryNodeAsync("count by (node) (chat_store_append_duration_seconds_count > 0)", ["silo1", "silo2"]);
        await ExpectEveryNodeAsync("count by (node) ({__name__=~\"orleans_.+\"})", AllNodes);
        await ExpectEveryNodeAsync("count by (node) (up == 1)", AllNodes);
    }

    [Fact]
    public async Task Prometheus_runs_with_a_valid_config_and_has_loaded_the_alert_rules()
    {
        var config = Path.Combine(LocalCluster.RepositoryRoot, "deploy", "local", ".state", "prometheus", "prometheus.yml");
        var check = await ExternalCommand.RunAsync("promtool", ["check", "config", config], TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);

        using var http = new HttpClient { BaseAddress = Prometheus, Timeout = TimeSpan.FromSeconds(10) };
        using var rules = JsonDocument.Parse(await http.GetStringAsync("/api/v1/rules"));
        var names = rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray()).Select(r => r.GetProperty("name").GetString()).ToArray();
        Assert.Contains("ChatDeliveryLagging", names);
        Assert.Contains("ChatStoreAppendsFailing", names);
        Assert.Contains("ChatNoApiNodeUp", names);
    }

    /// <summary>Opens a stream on the node, posts through the same node and reads until the last message (id {seq}-{epoch}) arrived.</summary>
    private static async Task StreamAndPostAsync(Uri node, string roomId, int messages)
    {
        using var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = ClusterTokens.Bearer("prometheus-test");
        using var stream = await http.GetAsync($"/rooms/{roomId}/events", HttpCompletionOption.ResponseHeadersRead);
        stream.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        for (var i = 1; i <= messages; i++)
        {
            (await http.PostAsJsonAsync($"/rooms/{roomId}/messages", new { text = $"m{i}" })).EnsureSuccessStatusCode();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(deadline.Token) is { } line && !line.StartsWith($"id: {messages}-", StringComparison.Ordinal))
        {
        }
    }

    /// <summary>Polls Prometheus until <paramref name="query"/> (grouped by node) has a result for each of <paramref name="nodes"/>.</summary>
    private static async Task ExpectEveryNodeAsync(string query, string[] nodes)
    {
        using var http = new HttpClient { BaseAddress = Prometheus, Timeout = TimeSpan.FromSeconds(10) };
        string[] found = [];
        await Poll.UntilAsync(async () =>
        {
            using var result = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}"));
            found = [.. result.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => r.GetProperty("metric").GetProperty("node").GetString()!)];
            return nodes.All(found.Contains);
        }, $"'{query}' has every node of {string.Join(", ", nodes)} (has {string.Join(", ", found)})", TimeSpan.FromSeconds(30));
    }
}

/// <summary>The alert rules are valid Prometheus rules.</summary>
public sealed class AlertRulesTests
{
    [Fact]
    public async Task Promtool_accepts_the_alert_rules()
    {
        var check = await ExternalCommand.RunAsync(
            "promtool", ["check", "rules", Path.Combine(LocalCluster.RepositoryRoot, "deploy", "prometheus", "alerts.yml")], TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 0, check.Output + check.Errors);
        Assert.Contains("SUCCESS", check.Output + check.Errors);
    }
}
