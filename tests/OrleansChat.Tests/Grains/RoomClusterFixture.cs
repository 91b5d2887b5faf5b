using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Grains;

/// <summary>Two silos on the Orleans in-process test cluster, sharing one room log as a real store would be shared.</summary>
public sealed class RoomClusterFixture : IAsyncLifetime
{
    public const int MaxMessages = 20;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    internal InMemoryRoomLog Log { get; } = new();

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddChatStreams().AddChatRooms(roomLog: Log);
            silo.Services.Configure<ChatHistoryOptions>(o => o.MaxMessages = MaxMessages);
        });
        builder.ConfigureClient(client => client.AddChatStreams());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
