using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OrleansChat.Api.Events;
using OrleansChat.Api.Rooms;
using OrleansChat.Api.Sse;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Sse;

public sealed class SseConnectionTests
{
    private static DefaultHttpContext AbortableContext()
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestLifetimeFeature>(new Lifetime());
        return context;
    }

    private static RoomEvent Message(long seq) => RoomEvent.Posted(new("r", seq, "ann", $"m{seq}", DateTimeOffset.UnixEpoch, null));

    [Fact]
    public void A_connection_whose_buffer_fills_is_aborted_as_too_slow()
    {
        var context = AbortableContext();
        var connection = new SseConnection(context, capacity: 16);

        for (var seq = 1; seq <= 17; seq++)
        {
            connection.Enqueue(ChatFrame.Of("e1", Message(seq)));
        }

        Assert.True(connection.Overflowed);
        Assert.True(context.RequestAborted.IsCancellationRequested);
    }

    [Fact]
    public void A_frame_arriving_after_close_does_not_turn_a_clean_end_into_an_abort()
    {
        var context = AbortableContext();
        var connection = new SseConnection(context, capacity: 16);

        connection.Close();
        connection.Enqueue(ChatFrame.Of("e1", Message(1)));

        Assert.False(connection.Overflowed);
        Assert.False(context.RequestAborted.IsCancellationRequested);
    }

    [Fact]
    public async Task The_pump_skips_what_replay_wrote_including_a_gap_it_has_passed()
    {
        var connection = new SseConnection(new DefaultHttpContext(), capacity: 16);
        connection.Enqueue(GapFrame.Of("r", 2, 5));
        connection.Enqueue(ChatFrame.Of("e1", Message(6)));
        connection.Enqueue(ChatFrame.Of("e1", Message(7)));
        connection.Enqueue(GapFrame.Of("r", 8, 9));
        connection.Enqueue(ChatFrame.Of("e1", Message(10)));
        connection.Close();
        var pipe = new Pipe();

        await RoomEventStream.PumpAsync(connection, new RoomCursor("r", 6, "e1"), pipe.Writer, ChatMeters.Unobserved(), CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var text = Encoding.UTF8.GetString((await pipe.Reader.ReadAsync()).Buffer);

        Assert.DoesNotContain("\"from\":2", text);
        Assert.DoesNotContain("id: 6-e1\n", text);
        Assert.Contains("id: 7-e1\n", text);
        Assert.Contains("\"from\":8,\"to\":9", text);
        Assert.True(text.IndexOf("id: 7-e1\n", StringComparison.Ordinal) < text.IndexOf("\"from\":8", StringComparison.Ordinal));
        Assert.Contains("id: 10-e1\n", text);
    }

    private sealed class Lifetime : IHttpRequestLifetimeFeature
    {
        private readonly CancellationTokenSource _aborted = new();

        public CancellationToken RequestAborted
        {
            get => _aborted.Token;
            set => throw new NotSupportedException();
        }

        public void Abort() => _aborted.Cancel();
    }
}
