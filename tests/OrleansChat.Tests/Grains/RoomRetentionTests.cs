using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansChat.Hosting;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Grains;

/// <summary>A silo whose rooms keep events for an hour (Chat:History:MaxAge) by a fake clock; the runtime keeps real time.</summary>
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

/// <summary>
/// Retention by age: an event older than MaxAge leaves every answer of the room at once, and the log soon after. Each
/// test's room has its own events, so the shared clock moving on for one test only ages what the others already
/// checked.
/// </summary>
public sealed class RoomRetentionTests(RoomRetentionFixture fixture) : IClassFixture<RoomRetentionFixture>
{
    private readonly string _roomId = $"aging-{Guid.NewGuid():N}";

    private IRoomGrain Room => fixture.Cluster.Client.GetGrain<IRoomGrain>(_roomId);

    [Fact]
    public async Task Events_older_than_max_age_leave_history_events_and_room_info_at_once_and_then_the_log()
    {
        await PostAsync(3);
        fixture.Clock.Advance(TimeSpan.FromMinutes(30));
        await PostAsync(1);
        await Room.Edit(new EditMessage(4, "ann", "edited"));
        fixture.Clock.Advance(TimeSpan.FromMinutes(31));

        var info = await Room.GetInfo();
        var history = await Room.GetHistory(new HistoryQuery(null, null, 100));
        var events = await Room.GetEvents(0, 100);

        Assert.Equal((5L, 4L), (info.LastSeq, info.FirstRetainedSeq));
        Assert.Equal([4L], history.Messages.Select(m => m.Seq));
        Assert.Equal(4, history.FirstRetainedSeq);
        Assert.Equal([4L, 5L], events.Events.Select(e => e.Seq));
        Assert.Equal(4, events.FirstRetainedSeq);
        // The read that dropped them started the log's trim.
        await Eventually.TrueAsync(async () => (await StoredSeqsAsync()).SequenceEqual([4L, 5L]), "the log dropped seqs 1..3");
    }

    [Fact]
    public async Task A_room_that_activates_after_everything_expired_trims_its_log_is_empty_and_keeps_counting()
    {
        await PostAsync(3);
        var epoch = (await Room.GetInfo()).Epoch;
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        fixture.Clock.Advance(TimeSpan.FromHours(2));

        var info = await Room.GetInfo();
        // The activation awaited its trim: no polling.
        var stored = await fixture.Log.ReadRecentAsync(_roomId, 100);

        Assert.Equal(new RoomInfo(_roomId, 3, 4, epoch), info);
        Assert.Empty(stored.Events);
        Assert.Equal((3L, epoch), (stored.LastSeq, stored.Epoch));
        Assert.Equal(4, (await Room.Post(new PostMessage("ann", "still counting", null))).Message.Seq);
        Assert.Equal(epoch, (await Room.GetInfo()).Epoch);
    }

    [Fact]
    public async Task A_retry_of_an_expired_message_is_a_new_message_and_an_expired_message_cannot_be_changed()
    {
        var original = await Room.Post(new PostMessage("ann", "hello", "c-1"));
        fixture.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(ChangeOutcome.NotFound, (await Room.Edit(new EditMessage(original.Message.Seq, "ann", "too late"))).Outcome);
        Assert.Equal(ChangeOutcome.NotFound, (await Room.Delete(new DeleteMessage(original.Message.Seq, "ann", Moderator: false))).Outcome);
        var retry = await Room.Post(new PostMessage("ann", "hello", "c-1"));

        Assert.True(retry.Created);
        Assert.Equal(original.Message.Seq + 1, retry.Message.Seq);
    }

    [Fact]
    public async Task The_in_memory_log_trims_by_age_in_the_append_and_on_its_own_by_one_rule()
    {
        var log = new InMemoryRoomLog();
        var start = fixture.Clock.GetUtcNow();
        RoomEvent Event(long seq, int minutes) =>
            RoomEvent.Posted(new ChatMessage(_roomId, seq, "ann", $"m{seq}", start.AddMinutes(minutes), null));

        // Seq 3 is older than seq 2 (a clock behind): the trim stops at seq 2, so what stays is consecutive.
        await log.AppendAsync(_roomId, "e1", [Event(1, 0), Event(2, 20), Event(3, 5), Event(4, 30)], 100);
        await log.TrimBeforeAsync(_roomId, start.AddMinutes(10));
        var trimmed = await log.ReadRecentAsync(_roomId, 100);
        await log.AppendAsync(_roomId, "e1", [Event(5, 40)], 100, trimBefore: start.AddMinutes(35));
        var appended = await log.ReadRecentAsync(_roomId, 100);

        Assert.Equal([2L, 3, 4], trimmed.Events.Select(e => e.Seq));
        Assert.Equal([5L], appended.Events.Select(e => e.Seq));
        Assert.Equal(5, appended.LastSeq);
    }

    private async Task PostAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Room.Post(new PostMessage("ann", $"m{i}", null));
        }
    }

    private async Task<long[]> StoredSeqsAsync() =>
        [.. (await fixture.Log.ReadRecentAsync(_roomId, 100)).Events.Select(e => e.Seq)];
}
