using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Streams;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Presence;

/// <summary>Two silos whose presence grains keep time by one fake clock; the runtime and the grains' ticks keep real time.</summary>
public sealed class PresenceClusterFixture : IAsyncLifetime
{
    public ReadCountingClock Clock { get; } = new(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(PresenceGrain.ClockKey, Clock);
            silo.AddChatStreams().AddChatRooms();
        });
        builder.ConfigureClient(client => client.AddChatStreams());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>A new room's presence grain and a recorder of its presence stream, subscribed before the first call.</summary>
    internal async Task<(IPresenceGrain Grain, PresenceRecorder Events)> NewRoomAsync()
    {
        var roomId = $"presence-{Guid.NewGuid():N}";
        var stream = Cluster.Client.GetStreamProvider(ChatStreams.ProviderName)
            .GetStream<PresenceStreamEvent>(StreamId.Create(ChatStreams.PresenceNamespace, roomId));
        var recorder = new PresenceRecorder();
        await stream.SubscribeAsync((item, _) =>
        {
            recorder.Add(item);
            return Task.CompletedTask;
        });
        return (Grains.GetGrain<IPresenceGrain>(roomId), recorder);
    }
}

/// <summary>A fake clock that counts how often it was read: every tick of a presence grain reads it.</summary>
public sealed class ReadCountingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    public override DateTimeOffset GetUtcNow()
    {
        Interlocked.Increment(ref _reads);
        return base.GetUtcNow();
    }
}

/// <summary>What a room's presence stream carried, in order.</summary>
internal sealed class PresenceRecorder
{
    private readonly List<PresenceStreamEvent> _events = [];

    public void Add(PresenceStreamEvent item)
    {
        lock (_events)
        {
            _events.Add(item);
        }
    }

    public PresenceStreamEvent[] All
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>"+ann" for each join and "-ann" for each leave so far, in order.</summary>
    public string[] Moves => [.. All.OfType<PresenceChanges>().SelectMany(c => c.Joined.Select(j => "+" + j.UserId).Concat(c.Left.Select(l => "-" + l.UserId)))];
}
