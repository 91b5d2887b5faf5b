using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Hosting;
using OrleansChat.Api.Rooms;

namespace OrleansChat.Api.Sse;

/// <summary>
/// <c>GET /rooms/{roomId}/events</c> for one client: joins the node's live feed for the room first, replays
/// history after the resume point while the feed buffers, then writes live frames, skipping any seq it has
/// already written, so the client sees every message once and in order.
/// </summary>
internal sealed partial class RoomEventStream(string roomId, long? ResumeAfter) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<SseOptions>>().Value;
        var connections = services.GetRequiredService<SseConnections>();
        var logger = services.GetRequiredService<ILogger<RoomEventStream>>();
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

        var cancellationToken = httpContext.RequestAborted;
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var writer = response.BodyWriter;
        writer.Write(SseFrame.Retry(options.RetryMilliseconds).Bytes.Span);
        try
        {
            // Join before the first flush: a client that sees the stream open receives everything posted after.
            var feeds = services.GetRequiredService<RoomFeeds>();
            await using var membership = await feeds.JoinAsync(roomId, connection, cancellationToken);
            await writer.FlushAsync(cancellationToken);
            var written = ResumeAfter is { } after
                ? await ReplayAsync(after, membership, writer, cancellationToken)
                : membership.JoinedAtSeq;
            connection.MarkWritten();
            await PumpAsync(connection, written, writer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (!connection.Overflowed && ClusterUnavailableHandler.IsClusterFailure(exception))
        {
            // A 200 that ends at once, not a 503: EventSource reconnects (after the retry hint) only after a 200.
            LogClusterUnavailable(logger, exception, roomId);
        }
        finally
        {
            connections.Remove(connection);
            if (connection.Overflowed)
            {
                LogSlowClient(logger, roomId, httpContext.Connection.RemoteIpAddress?.ToString());
            }
        }
    }

    /// <summary>Writes history after <paramref name="after"/> up to at least where the live feed took over.</summary>
    private async Task<long> ReplayAsync(long after, RoomFeeds.FeedMembership membership, PipeWriter writer, CancellationToken cancellationToken)
    {
        var joinedAtSeq = membership.JoinedAtSeq;
        var written = after;
        if (after < joinedAtSeq && membership.CachedChatFrame(after + 1) is not null)
        {
            written = await ReplayCachedAsync(after, membership, writer);
            if (written >= joinedAtSeq)
            {
                await writer.FlushAsync(cancellationToken);
                return written;
            }
        }

        var page = await membership.ReadPageAsync(written);
        if (written > page.LastSeq)
        {
            writer.Write(SseFrame.Reset(roomId, page.LastSeq).Bytes.Span);
            await writer.FlushAsync(cancellationToken);
            return page.LastSeq;
        }

        while (true)
        {
            var start = written;
            written = SkipTrimmed(written, page.FirstRetainedSeq, writer);

            foreach (var message in page.Messages)
            {
                if (message.Seq > written)
                {
                    writer.Write(membership.ChatFrame(message).Bytes.Span);
                    written = message.Seq;
                }
            }

            await writer.FlushAsync(cancellationToken);
            // A page can be empty yet the gap moved us on: a resume point more than a page below the retained
            // history reads an empty range, and the retained messages come from the next read. Only a round that
            // moves nothing means there is nothing more to read.
            if (written >= joinedAtSeq || written == start)
            {
                return written;
            }

            page = await membership.ReadPageAsync(written);
        }
    }

    /// <summary>
    /// Writes what the node's feed already holds encoded, from just after <paramref name="after"/> on: a herd of
    /// clients resuming the same backlog then costs the room one small call each instead of its messages. The
    /// room still says where its history starts, so a gap is announced exactly as a read from history would.
    /// </summary>
    private async Task<long> ReplayCachedAsync(long after, RoomFeeds.FeedMembership membership, PipeWriter writer)
    {
        var info = await membership.ReadInfoAsync();
        var written = SkipTrimmed(after, info.FirstRetainedSeq, writer);

        while (written < membership.JoinedAtSeq && membership.CachedChatFrame(written + 1) is { } frame)
        {
            writer.Write(frame.Bytes.Span);
            written = frame.Seq;
        }

        return written;
    }

    /// <summary>
    /// Announces, with one <c>event: gap</c>, the messages after <paramref name="written"/> that the room no longer
    /// retains; returns the seq the client is then up to.
    /// </summary>
    private long SkipTrimmed(long written, long firstRetainedSeq, PipeWriter writer)
    {
        if (written >= firstRetainedSeq - 1)
        {
            return written;
        }

        writer.Write(SseFrame.Gap(roomId, written + 1, firstRetainedSeq - 1).Bytes.Span);
        return firstRetainedSeq - 1;
    }

    internal static async Task PumpAsync(SseConnection connection, long written, PipeWriter writer, CancellationToken cancellationToken)
    {
        var frames = connection.Frames;
        while (await frames.WaitToReadAsync(cancellationToken))
        {
            while (frames.TryRead(out var frame))
            {
                if (frame.Seq > 0)
                {
                    if (frame.Seq > written)
                    {
                        // Only what replay has not written already (a batch frame may straddle that point).
                        writer.Write(frame.After(written).Span);
                        written = frame.Seq;
                    }
                }
                else if (frame.GapTo > 0)
                {
                    // The feed's gap may lie below what this connection's replay already wrote.
                    if (frame.GapTo > written)
                    {
                        writer.Write(frame.Bytes.Span);
                        written = frame.GapTo;
                    }
                }
                else
                {
                    writer.Write(frame.Bytes.Span);
                }
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
