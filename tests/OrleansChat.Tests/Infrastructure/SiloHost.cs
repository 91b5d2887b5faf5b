using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Infrastructure;

/// <summary>A standalone silo (the Silo project's wiring) with localhost clustering on free loopback ports.</summary>
internal sealed class SiloHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SiloHost(IHost host, string clusterId, int gatewayPort)
    {
        _host = host;
        ClusterId = clusterId;
        GatewayPort = gatewayPort;
    }

    public string ClusterId { get; }

    public int GatewayPort { get; }

    /// <summary>Settings for an API node in client mode that joins this silo.</summary>
    public Dictionary<string, string?> ClientSettings => new()
    {
        ["Chat:Mode"] = "Client",
        ["Orleans:ClusterId"] = ClusterId,
        ["Orleans:GatewayPorts:0"] = GatewayPort.ToString(),
    };

    public static async Task<SiloHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var clusterId = $"test-{Guid.NewGuid():N}";
        var siloPort = FreePort.Next();
        var gatewayPort = FreePort.Next();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:SiloPort"] = siloPort.ToString(),
            ["Orleans:PrimarySiloPort"] = siloPort.ToString(),
            ["Orleans:GatewayPort"] = gatewayPort.ToString(),
        });
        builder.Logging.ClearProviders();
        builder.AddChatSilo();
        var host = builder.Build();
        await host.StartAsync();
        return new SiloHost(host, clusterId, gatewayPort);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
