using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>One embedded API node (co-hosted silo) on a loopback port, shared by a test class.</summary>
public class EmbeddedApiFixture : IAsyncLifetime
{
    private readonly IDictionary<string, string?>? _settings;

    public EmbeddedApiFixture()
    {
    }

    protected EmbeddedApiFixture(IDictionary<string, string?> settings) => _settings = settings;

    internal ApiHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ApiHost.StartAsync(_settings);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>A node with a 1 s heartbeat and a recognizable retry hint.</summary>
public sealed class SseApiFixture() : EmbeddedApiFixture(new Dictionary<string, string?>
{
    ["Chat:Sse:HeartbeatSeconds"] = "1",
    ["Chat:Sse:RetryMilliseconds"] = "1234",
});
