using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using OrleansChat.Api.Events;
using OrleansChat.Api.Rooms;
using OrleansChat.Api.Sse;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Sse;

public sealed class StreamExpiryTests
{
    private static RoomEvent Message(long seq) => RoomEvent.Posted(new("r", seq, "ann", $"m{seq}", DateTimeOffset.UnixEpoch, null));

    [Fact]
    public async Task At_the_tokens_exp_the_stream_writes_expired_after_what_was_queued_and_ends()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var connection = new SseConnection(new DefaultHttpContext(), capacity: 16);
        await using var expiry = StreamExpiry.Start(connection, "r", clock.GetUtcNow().AddMinutes(5), clock);
        var pipe = new Pipe();
        var pump = RoomEventStream.PumpAsync(connection, new RoomCursor("r", 0, "e1"), pipe.Writer, ChatMeters.Unobserved(), CancellationToken.None);

        connection.Enqueue(ChatFrame.Of("e1", Message(1)));
        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        connection.Enqueue(ChatFrame.Of("e1", Message(2)));
        Assert.False(pump.IsCompleted, "the stream is still open just before exp");

        clock.Advance(TimeSpan.FromTicks(1));
        await pump.WaitAsync(TimeSpan.FromSeconds(10));
        connection.Enqueue(ChatFrame.Of("e1", Message(3)));
        await pipe.Writer.CompleteAsync();
        var text = Encoding.UTF8.GetString((await pipe.Reader.ReadAsync()).Buffer);

        var expired = Encoding.UTF8.GetString(ChatFrame.Of("e1", Message(1)).Bytes.Span)
            + Encoding.UTF8.GetString(ChatFrame.Of("e1", Message(2)).Bytes.Span)
            + "event: expired\ndata: {\"roomId\":\"r\",\"reason\":\"token expired\"}\n\n";
        Assert.Equal(expired, text);
        Assert.False(connection.Overflowed, "a frame after the end is not a slow client");
    }

    [Fact]
    public async Task A_token_already_past_its_exp_but_inside_the_validators_skew_ends_the_stream_at_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var connection = new SseConnection(new DefaultHttpContext(), capacity: 16);
        await using var expiry = StreamExpiry.Start(connection, "r", clock.GetUtcNow().AddSeconds(-20), clock);
        var pipe = new Pipe();

        await RoomEventStream.PumpAsync(connection, new RoomCursor("r", 0, "e1"), pipe.Writer, ChatMeters.Unobserved(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await pipe.Writer.CompleteAsync();

        Assert.Equal("event: expired\ndata: {\"roomId\":\"r\",\"reason\":\"token expired\"}\n\n", Encoding.UTF8.GetString((await pipe.Reader.ReadAsync()).Buffer));
    }

    [Fact]
    public async Task A_stream_that_ended_before_exp_cancels_its_timer()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var connection = new SseConnection(new DefaultHttpContext(), capacity: 16);
        var expiry = StreamExpiry.Start(connection, "r", clock.GetUtcNow().AddMinutes(5), clock);

        await expiry.DisposeAsync();
        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.False(connection.TryPeek(out _), "nothing was queued after the timer was disposed");
    }
}
