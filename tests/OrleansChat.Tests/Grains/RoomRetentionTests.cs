using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Grains;

/// <summary>A silo whose rooms keep messages for an hour (Chat:History:MaxAge) by a fake clock; the runtime keeps real time.</summary>
public sealed class RoomRetentionFixture : IAsyncLifetime
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    internal InMemoryRoomLog Log { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(RoomGrain.ClockKey, Clock);
            silo.AddChatStreams().AddChatRooms(roomLog: Log);
            silo.Services.Configure<ChatHistoryOptions>(o => o.MaxAge = MaxAge);
        });
        builder.ConfigureClient(client => client.AddChatStreams());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class RoomRetentionTests(RoomRetentionFixture fixture) : IClassFixture<RoomRetentionFixture>
{
    private readonly string _roomId = $"room-{Guid.NewGuid():N}";

    private IRoomGrain Room => fixture.Cluster.Client.GetGrain<IRoomGrain>(_roomId);

    [Fact]
    public async Task Messages_older_than_max_age_leave_history_room_info_and_then_the_log()
    {
        await PostAsync(3);
        fixture.Clock.Advance(TimeSpan.FromMinutes(30));
        await PostAsync(2);
        fixture.Clock.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal(new RoomInfo(_roomId, 5, 4), await Room.GetInfo());
        var page = await Room.GetHistory(new HistoryQuery(null, null, 100));
        Assert.Equal([4L, 5L], page.Messages.Select(m => m.Seq));
        Assert.Equal(4, page.FirstRetainedSeq);

        await PostAsync(1);
        Assert.Equal([4L, 5L, 6L], (await fixture.Log.ReadRecentAsync(_roomId, 100)).Messages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_room_that_activates_after_everything_expired_is_empty_but_keeps_its_seq()
    {
        await PostAsync(3);
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(new RoomInfo(_roomId, 3, 4), await Room.GetInfo());
        var stored = await fixture.Log.ReadRecentAsync(_roomId, 100);
        Assert.Empty(stored.Messages);
        Assert.Equal(3, stored.LastSeq);
        Assert.Equal(4, (await Room.Post(new PostMessage("ann", "still counting", null))).Message.Seq);
    }

    [Fact]
    public async Task A_retry_of_an_expired_message_is_a_new_message()
    {
        var original = await Room.Post(new PostMessage("ann", "hello", "c-1"));
        fixture.Clock.Advance(TimeSpan.FromHours(2));

        var retry = await Room.Post(new PostMessage("ann", "hello", "c-1"));

        Assert.True(retry.Created);
        Assert.Equal(original.Message.Seq + 1, retry.Message.Seq);
    }

    private async Task PostAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Room.Post(new PostMessage("ann", $"m{i}", null));
        }
    }
}
