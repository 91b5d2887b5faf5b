using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Events;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// <c>GET /rooms/{roomId}/events</c> for one client: joins the node's live feed for the room first, replays
/// history after the resume point while the feed buffers, then writes live frames. One <see cref="RoomCursor"/>
/// sees both, so the client gets every event once and in order.
/// </summary>
internal sealed partial class RoomEventStream(string roomId, long? ResumeAfter) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<SseOptions>>().Value;
        var connections = services.GetRequiredService<SseConnections>();
        var connection = new SseConnection(httpContext, options.ConnectionBufferMessages);
        if (!connections.TryAdd(connection))
        {
            httpContext.Response.Headers.RetryAfter = "5";
            await TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "No room for another event stream",
                detail: $"This node is shutting down or holds its maximum of {options.MaxConnections} event streams; retry on another node.")
                .ExecuteAsync(httpContext);
            return;
        }

        IAsyncDisposable? place = null;
        try
        {
            // Before anything is written: a refusal, or a cluster that cannot count the user's streams, is a plain error.
            var holder = StreamHolder.Of(httpContext.User);
            (place, var refusal) = await services.GetRequiredService<StreamAdmission>().TryAdmitAsync(holder, httpContext);
            if (refusal is not null)
            {
                httpContext.Response.Headers.RetryAfter = StreamAdmission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await refusal.ExecuteAsync(httpContext);
                return;
            }

            await using var expiry = holder.ExpiresAt is { } expiresAt
                ? StreamExpiry.Start(connection, roomId, expiresAt, services.GetRequiredService<TimeProvider>())
                : null;
            await StreamAsync(httpContext, connection, options);
        }
        finally
        {
            connections.Remove(connection);
            if (place is not null)
            {
                await place.DisposeAsync();
            }
        }
    }

    private async Task StreamAsync(HttpContext httpContext, SseConnection connection, SseOptions options)
    {
        var services = httpContext.RequestServices;
        var logger = services.GetRequiredService<ILogger<RoomEventStream>>();
        var cancellationToken = httpContext.RequestAborted;
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = response.BodyWriter;
        writer.Write(ControlFrame.Retry(options.RetryMilliseconds).Bytes.Span);
        try
        {
            // Join before the first flush: a client that sees the stream open receives everything posted after.
            var feeds = services.GetRequiredService<RoomFeeds>();
            await using var membership = await feeds.JoinAsync(roomId, connection, cancellationToken);
            await writer.FlushAsync(cancellationToken);
            var cursor = new RoomCursor(roomId, ResumeAfter ?? membership.JoinedAtSeq);
            if (ResumeAfter is not null)
            {
                await ReplayAsync(cursor, membership, writer, cancellationToken);
            }

            connection.MarkWritten();
            await PumpAsync(connection, cursor, writer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (!connection.Overflowed && ClusterFailure.Is(exception))
        {
            // A 200 that ends at once, not a 503: EventSource reconnects (after the retry hint) only after a 200.
            LogClusterUnavailable(logger, exception, roomId);
        }
        finally
        {
            if (connection.Overflowed)
            {
                LogSlowClient(logger, roomId, httpContext.Connection.RemoteIpAddress?.ToString());
            }
        }
    }

    /// <summary>Writes history from the resume point up to at least where the live feed took over.</summary>
    private static async Task ReplayAsync(RoomCursor cursor, FeedMembership membership, PipeWriter writer, CancellationToken cancellationToken)
    {
        await foreach (var frames in cursor.CatchUpAsync(membership.Pages, membership.JoinedAtSeq))
        {
            foreach (var frame in frames)
            {
                writer.Write(frame.Bytes.Span);
            }

            await writer.FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes the live frames the feed queued for this connection, each event once past what replay wrote.</summary>
    internal static async Task PumpAsync(SseConnection connection, RoomCursor cursor, PipeWriter writer, CancellationToken cancellationToken)
    {
        var frames = connection.Frames;
        while (await frames.WaitToReadAsync(cancellationToken))
        {
            while (frames.TryRead(out var frame))
            {
                writer.Write(cursor.Admit(frame).Span);
            }

            var flushed = await writer.FlushAsync(cancellationToken);
            connection.MarkWritten();
            if (flushed.IsCompleted)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnected a client of room {RoomId} at {RemoteIp} that read too slowly; it will resume from history.")]
    private static partial void LogSlowClient(ILogger logger, string roomId, string? remoteIp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ended an event stream of room {RoomId}: the cluster is unavailable.")]
    private static partial void LogClusterUnavailable(ILogger logger, Exception exception, string roomId);
}
