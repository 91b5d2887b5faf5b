using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Api.Sse;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Telemetry;

/// <summary>How an event stream opens, resumes, is written and ends, as the node's instruments count it.</summary>
public sealed class StreamMetricsTests
{
    private static string NewRoom() => $"metrics-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_slow_client_disconnected_counts_under_the_slow_reason_and_the_gauge_follows()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:Sse:ConnectionBufferMessages"] = "16" });
        using var closed = ChatMeters.Collect<long>(api.Services, "chat.sse.streams.closed");
        using var open = ChatMeters.Collect<long>(api.Services, "chat.sse.streams.open");
        var connections = api.Services.GetRequiredService<SseConnections>();
        var room = NewRoom();
        await using var slow = await SseClient.ConnectAsync(api.BaseAddress, $"/rooms/{room}/events", startReading: false, receiveBufferBytes: 4096);
        await Eventually.TrueAsync(() => connections.Count == 1, "the client is connected");
        open.RecordObservableInstruments();
        Assert.Equal(1, open.LastMeasurement?.Value);

        // Big messages fill the client's socket buffers, then its queue of 16 frames.
        var text = new string('x', 3900);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (connections.Count == 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the slow client was not disconnected");
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.PostAsync(room, "ann", text)));
        }

        await Eventually.TrueAsync(() => closed.Sum() == 1, "the close is counted");
        Assert.Equal(1, closed.Sum("reason", "slow"));
        open.RecordObservableInstruments();
        Assert.Equal(0, open.LastMeasurement?.Value);
    }

    [Fact]
    public async Task A_resume_with_a_gap_counts_once_as_gap_and_a_resume_beyond_the_room_as_reset()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:History:MaxMessages"] = "5" });
        using var resumes = ChatMeters.Collect<long>(api.Services, "chat.sse.resumes");
        var room = NewRoom();
        for (var i = 1; i <= 12; i++)
        {
            await api.PostAsync(room, "ann", $"m{i}");
        }

        await using (var gap = await api.ConnectAsync(room, lastEventId: "0"))
        {
            await gap.WaitForSeqAsync(12);
        }

        await using (var reset = await api.ConnectAsync(room, lastEventId: "99"))
        {
            Assert.Equal("reset", (await reset.NextAsync()).EventType);
        }

        await using (var replayed = await api.ConnectAsync(room, lastEventId: "10"))
        {
            await replayed.WaitForSeqAsync(12);
        }

        await Eventually.TrueAsync(() => resumes.Sum() == 3, "three resumes are counted");
        Assert.Equal(1, resumes.Sum("outcome", "gap"));
        Assert.Equal(1, resumes.Sum("outcome", "reset"));
        Assert.Equal(1, resumes.Sum("outcome", "replayed"));
    }

    [Fact]
    public async Task Live_writes_count_every_event_once_and_record_the_delivery_lag()
    {
        await using var api = await ApiHost.StartAsync();
        using var written = ChatMeters.Collect<long>(api.Services, "chat.sse.events.written");
        using var lag = ChatMeters.Collect<double>(api.Services, "chat.delivery.lag");
        var room = NewRoom();
        await using var first = await api.ConnectAsync(room);
        await using var second = await api.ConnectAsync(room);
        for (var i = 1; i <= 20; i++)
        {
            await api.PostAsync(room, "ann", $"m{i}");
        }

        await first.WaitForSeqAsync(20);
        await second.WaitForSeqAsync(20);

        await Eventually.TrueAsync(() => written.Sum() == 40, $"40 events are counted (so far {written.Sum()})");
        var lags = lag.GetMeasurementSnapshot();
        Assert.InRange(lags.Count, 2, 10);  // one write in 8 of each connection, the first included
        Assert.All(lags, m => Assert.InRange(m.Value, 0, 10));
    }

    [Fact]
    public async Task A_stream_over_the_cap_is_a_503_rejection_and_shutdown_closes_count_as_shutdown()
    {
        var api = await ApiHost.StartAsync(new Dictionary<string, string?> { ["Chat:Sse:MaxConnections"] = "1" });
        using var rejections = ChatMeters.Collect<long>(api.Services, "chat.rejections");
        using var closed = ChatMeters.Collect<long>(api.Services, "chat.sse.streams.closed");
        using var opened = ChatMeters.Collect<long>(api.Services, "chat.sse.streams.opened");
        var room = NewRoom();
        await using var client = await api.ConnectAsync(room);
        using (var refused = await api.Http.GetAsync($"/rooms/{room}/events"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        Assert.Equal(1, rejections.Sum("reason", "stream_cap"));
        Assert.Equal(503, rejections.LastMeasurement?.Tags["status"]);
        Assert.Equal(1, opened.Sum());

        await api.StopAsync();
        await client.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => closed.Sum() == 1, "the close is counted");
        Assert.Equal(1, closed.Sum("reason", "shutdown"));
        await api.DisposeAsync();
    }
}
