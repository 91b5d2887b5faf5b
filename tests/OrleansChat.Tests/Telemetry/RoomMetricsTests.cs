using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Telemetry;

/// <summary>Posts, the room feed's recoveries and the room log's appends, as the instruments count them.</summary>
public sealed class RoomMetricsTests
{
    private static string NewRoom() => $"metrics-{Guid.NewGuid():N}";

    [Fact]
    public async Task Posts_count_by_outcome_with_their_duration_and_the_rate_limit_counts_429s()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:RateLimit:PostsPerSecond"] = "1",
            ["Chat:RateLimit:Burst"] = "2",
        });
        using var posted = ChatMeters.Collect<long>(api.Services, "chat.messages.posted");
        using var duration = ChatMeters.Collect<double>(api.Services, "chat.post.duration");
        using var rejections = ChatMeters.Collect<long>(api.Services, "chat.rejections");
        var room = NewRoom();
        await api.PostAsync(room, "ann", "hello", clientMessageId: "c1");
        await api.PostAsync(room, "ann", "hello", clientMessageId: "c1");
        var limited = await api.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "one too many" });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(1, posted.Sum("outcome", "created"));
        Assert.Equal(1, posted.Sum("outcome", "retry"));
        Assert.Equal(2, duration.GetMeasurementSnapshot().Count);
        Assert.Equal(1, rejections.Sum("reason", "post_rate"));
        Assert.Equal(429, rejections.LastMeasurement?.Tags["status"]);
    }

    [Fact]
    public async Task A_lost_stream_event_counts_one_gap_fill_and_a_lost_subscription_one_resubscribe()
    {
        var dropper = new StreamEventDropper();
        // Rounds only when the test runs them: the hole below is filled by the next event, never by a round.
        var rounds = new WatchdogRounds();
        await using var api = await ApiHost.StartAsync(
            rounds.Settings,
            services => rounds.AddTo(services).AddSingleton<IOutgoingGrainCallFilter>(dropper));
        using var gapFills = ChatMeters.Collect<long>(api.Services, "chat.feed.gap_fills");
        using var resubscribes = ChatMeters.Collect<long>(api.Services, "chat.feed.resubscribes");
        using var feeds = ChatMeters.Collect<long>(api.Services, "chat.feeds.active");
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        await api.PostAsync(room, "ann", "m1");
        await client.WaitForSeqAsync(1);
        feeds.RecordObservableInstruments();
        Assert.Equal(1, feeds.LastMeasurement?.Value);

        // A hole between two delivered events is filled as the next one arrives.
        dropper.DropNext(room);
        await api.PostAsync(room, "ann", "m2 (lost)");
        await api.PostAsync(room, "ann", "m3");
        await client.WaitForSeqAsync(3);
        Assert.Equal(1, gapFills.Sum());
        Assert.Equal(0, resubscribes.Sum());

        // A lost last event shows only as silence: the check resubscribes.
        dropper.DropNext(room);
        await api.PostAsync(room, "ann", "m4 (lost, nothing follows)");
        await rounds.RunAsync(api);
        await rounds.RunAsync(api);
        await client.WaitForSeqAsync(4);
        Assert.Equal(1, resubscribes.Sum());
        Assert.Equal(1, gapFills.Sum());
    }

    [Fact]
    public async Task A_failing_store_counts_its_failed_append_and_every_append_has_a_duration()
    {
        var log = new SwitchableRoomLog();
        await using var api = await ApiHost.StartAsync(services: services => services.AddSingleton<IRoomLog>(log));
        using var failures = ChatMeters.Collect<long>(api.Services, "chat.store.append.failures");
        using var duration = ChatMeters.Collect<double>(api.Services, "chat.store.append.duration");
        var room = NewRoom();
        await api.PostAsync(room, "ann", "stored");

        log.Failing = true;
        var failed = await api.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "not stored" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(1, failures.Sum());
        Assert.Equal(2, duration.GetMeasurementSnapshot().Count);
    }

    /// <summary>The in-memory log, failing every append while <see cref="Failing"/> is set.</summary>
    private sealed class SwitchableRoomLog : IRoomLog
    {
        private readonly InMemoryRoomLog _log = new();

        public volatile bool Failing;

        public Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxMessages, CancellationToken cancellationToken = default) =>
            _log.ReadRecentAsync(roomId, maxMessages, cancellationToken);

        public Task<RoomLogHead> ReadHeadAsync(string roomId, CancellationToken cancellationToken = default) =>
            _log.ReadHeadAsync(roomId, cancellationToken);

        public Task<long> AppendAsync(
            string roomId,
            string epoch,
            IReadOnlyList<RoomEvent> events,
            int maxEvents,
            DateTimeOffset? trimBefore = null,
            CancellationToken cancellationToken = default) =>
            Failing
                ? Task.FromException<long>(new IOException("The store is down."))
                : _log.AppendAsync(roomId, epoch, events, maxEvents, trimBefore, cancellationToken);

        public Task TrimBeforeAsync(string roomId, DateTimeOffset cutoff, CancellationToken cancellationToken = default) =>
            _log.TrimBeforeAsync(roomId, cutoff, cancellationToken);
    }
}
