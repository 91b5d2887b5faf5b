using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansChat.Hosting;

namespace OrleansChat.Tests.Grains;

/// <summary>
/// A room whose flush fails after the append itself succeeded: no waiting post may be left hanging, and the room
/// must come back on its own.
/// </summary>
public sealed class RoomFlushFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly MisreportingRoomLog _log = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddChatStreams().AddChatRooms(roomLog: _log));
        builder.ConfigureClient(client => client.AddChatStreams());
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_throw_after_the_append_fails_every_waiting_post_and_the_room_recovers()
    {
        var room = _cluster.Client.GetGrain<IRoomGrain>($"room-{Guid.NewGuid():N}");
        _log.Misreport = true;

        // Concurrent posts: the first is appended alone, the others queue behind it and are strandable.
        var posts = Enumerable.Range(1, 20).Select(i => room.Post(new PostMessage("ann", $"m{i}", $"c{i}"))).ToArray();
        foreach (var post in posts)
        {
            // Failed, not hanging (a hang ends in WaitAsync's TimeoutException): the room's own refusal, or, for a post
            // that reached the activation while it deactivated, Orleans' rejection. The API answers 503 to both.
            var error = await Assert.ThrowsAnyAsync<Exception>(() => post.WaitAsync(Deadline));
            Assert.True(error is RoomUnavailableException or OrleansMessageRejectionException, error.ToString());
        }

        _log.Misreport = false;
        // What the log did store stays stored: a retry gets it back, and new posts carry on after it.
        var stored = await _log.ReadRecentAsync(room.GetPrimaryKeyString(), 100);
        Assert.NotEmpty(stored.Events);
        var first = stored.Events[0].Message;
        var retry = await room.Post(new PostMessage("ann", first.Text!, first.ClientMessageId)).WaitAsync(Deadline);
        var next = await room.Post(new PostMessage("ann", "after", "c-after")).WaitAsync(Deadline);

        Assert.False(retry.Created);
        Assert.Equal(first, retry.Message);
        Assert.Equal(stored.LastSeq + 1, next.Message.Seq);
    }

    /// <summary>Stores every append, then, while told to, reports a last seq the grain cannot have written.</summary>
    private sealed class MisreportingRoomLog : IRoomLog
    {
        private readonly InMemoryRoomLog _inner = new();

        public volatile bool Misreport;

        public Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxMessages, CancellationToken cancellationToken = default) =>
            _inner.ReadRecentAsync(roomId, maxMessages, cancellationToken);

        public Task<RoomLogHead> ReadHeadAsync(string roomId, CancellationToken cancellationToken = default) =>
            _inner.ReadHeadAsync(roomId, cancellationToken);

        public async Task<long> AppendAsync(
            string roomId,
            string epoch,
            IReadOnlyList<RoomEvent> events,
            int maxEvents,
            DateTimeOffset? trimBefore = null,
            CancellationToken cancellationToken = default)
        {
            // Lets the other posts of the test queue up behind this append, as behind a real store's round trip.
            await Task.Yield();
            var lastSeq = await _inner.AppendAsync(roomId, epoch, events, maxEvents, trimBefore, cancellationToken);
            return Misreport ? lastSeq + 1 : lastSeq;
        }

        public Task TrimBeforeAsync(string roomId, DateTimeOffset cutoff, CancellationToken cancellationToken = default) =>
            _inner.TrimBeforeAsync(roomId, cutoff, cancellationToken);
    }
}
