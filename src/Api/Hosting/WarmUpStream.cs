using System.IO.Pipelines;
using OrleansChat.Api.Events;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Rooms;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// An event stream with no client: joined to a room's feed like a request's stream and written by the same pump, into
/// a response body that discards what it gets.
/// </summary>
internal sealed class WarmUpStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly FeedMembership _membership;
    private readonly RoomCursor _cursor;
    private readonly Task _pump;

    private WarmUpStream(FeedMembership membership, RoomCursor cursor, SseConnection connection, ChatMetrics metrics)
    {
        _membership = membership;
        _cursor = cursor;
        _pump = RoomEventStream.PumpAsync(connection, cursor, PipeWriter.Create(Stream.Null), metrics, _stop.Token);
    }

    /// <summary>The last seq this stream has written.</summary>
    public long Position => _cursor.Position;

    public static async Task<WarmUpStream> OpenAsync(RoomFeeds feeds, string roomId, SseOptions options, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        var connection = new SseConnection(new DefaultHttpContext(), options.ConnectionBufferMessages);
        var membership = await feeds.JoinAsync(roomId, connection, cancellationToken);
        return new WarmUpStream(membership, new RoomCursor(roomId, membership.JoinedAtSeq, membership.JoinedAtEpoch), connection, metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        await _membership.DisposeAsync();
        _stop.Dispose();
    }
}
