using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Events;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Presence;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;
using OrleansChat.Telemetry;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// <c>GET /rooms/{roomId}/events</c> for one client: joins the node's live feed for the room first, replays
/// history after the resume point while the feed buffers, then writes live frames. One <see cref="RoomCursor"/>
/// sees both, so the client gets every event once and in order. <c>ResumeEpoch</c> is the resume point's epoch; null
/// for a bare seq, which is taken to be of the room's current log.
/// </summary>
internal sealed partial class RoomEventStream(string roomId, long? ResumeAfter, string? ResumeEpoch = null, bool Presence = false) : IResult
{
    private const int LagSampleEvery = 8;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<SseOptions>>().Value;
        var connections = services.GetRequiredService<SseConnections>();
        var metrics = services.GetRequiredService<ChatMetrics>();
        var connection = new SseConnection(httpContext, options.ConnectionBufferMessages);
        if (!connections.TryAdd(connection))
        {
            metrics.Rejected(StatusCodes.Status503ServiceUnavailable, connections.Stopping ? RejectionReasons.ShuttingDown : RejectionReasons.StreamCap);
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
                metrics.Rejected(StatusCodes.Status429TooManyRequests, holder.UserId is null ? RejectionReasons.AddressStreams : RejectionReasons.UserStreams);
                httpContext.Response.Headers.RetryAfter = StreamAdmission.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await refusal.ExecuteAsync(httpContext);
                return;
            }

            await using var expiry = holder.ExpiresAt is { } expiresAt
                ? StreamExpiry.Start(connection, roomId, expiresAt, services.GetRequiredService<TimeProvider>())
                : null;
            metrics.StreamOpened();
            var endedBy = await StreamAsync(httpContext, connection, options, metrics);
            metrics.StreamClosed(
                connection.Overflowed ? StreamCloseReason.Slow
                : connection.LastFrame is ExpiredFrame ? StreamCloseReason.Expired
                : connection.Closed ? StreamCloseReason.Shutdown
                : endedBy);
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

    /// <summary>Streams until the client, the node or the cluster ends it; returns the reason unless the node ended it.</summary>
    private async Task<StreamCloseReason> StreamAsync(HttpContext httpContext, SseConnection connection, SseOptions options, ChatMetrics metrics)
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
            var feeds = services.GetRequiredService<RoomFeeds>();
            await using var membership = await feeds.JoinAsync(roomId, connection, cancellationToken);
            await using var presence = await services.GetRequiredService<StreamPresence>()
                .EnterAsync(roomId, httpContext.User, connection, Presence, cancellationToken);
            var cursor = await OpenAsync(membership, writer, metrics, cancellationToken);
            connection.MarkWritten();
            await PumpAsync(connection, cursor, writer, metrics, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (!connection.Overflowed && ClusterFailure.Is(exception))
        {
            // A 200 that ends at once, not a 503: EventSource reconnects (after the retry hint) only after a 200.
            LogClusterUnavailable(logger, exception, roomId);
            return StreamCloseReason.Unavailable;
        }
        finally
        {
            if (connection.Overflowed)
            {
                LogSlowClient(logger, roomId, httpContext.Connection.RemoteIpAddress?.ToString());
            }
        }

        return StreamCloseReason.Client;
    }

    /// <summary>
    /// The stream's opening, under one span: flushes the headers once the feed is joined (so a client that sees the
    /// stream open receives everything posted after), then replays history from the resume point.
    /// </summary>
    private async Task<RoomCursor> OpenAsync(FeedMembership membership, PipeWriter writer, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        using var activity = ChatTelemetry.Source.StartActivity("chat.stream.open");
        activity?.SetTag("chat.resume", ResumeAfter is not null);
        await writer.FlushAsync(cancellationToken);
        var cursor = ResumeAfter is { } after
            ? new RoomCursor(roomId, after, ResumeEpoch)
            : new RoomCursor(roomId, membership.JoinedAtSeq, membership.JoinedAtEpoch);
        if (ResumeAfter is not null)
        {
            var outcome = await ReplayAsync(cursor, membership, writer, metrics, cancellationToken);
            metrics.Resumed(outcome);
            activity?.SetTag("chat.resume.outcome", outcome.ToString());
        }

        return cursor;
    }

    /// <summary>Writes history from the resume point up to at least where the live feed took over.</summary>
    private static async Task<ResumeOutcome> ReplayAsync(
        RoomCursor cursor, FeedMembership membership, PipeWriter writer, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        using var activity = ChatTelemetry.Source.StartActivity("chat.stream.replay");
        var outcome = ResumeOutcome.Replayed;
        await foreach (var frames in cursor.CatchUpAsync(membership.Pages, membership.JoinedAtSeq, followNewEpoch: false))
        {
            foreach (var frame in frames)
            {
                outcome = frame switch
                {
                    ResetFrame => ResumeOutcome.Reset,
                    GapFrame when outcome == ResumeOutcome.Replayed => ResumeOutcome.Gap,
                    _ => outcome,
                };
                writer.Write(frame.Bytes.Span);
            }

            await writer.FlushAsync(cancellationToken);
            metrics.Written(frames.Count, oldestCreatedAt: null);
        }

        activity?.SetTag("chat.replay.to", cursor.Position);
        return outcome;
    }

    /// <summary>
    /// Writes the live frames the feed queued for this connection, each event once past what replay wrote. The
    /// delivery lag is taken per write (a flush of whatever was queued), for its oldest chat event, and only for one
    /// write in <see cref="LagSampleEvery"/> of each connection (the first, the ninth, …): a room's fan-out makes a
    /// write per connection per message, and a clock read plus a histogram record on each would be most of what
    /// metrics cost there, while a uniform sample keeps the quantiles.
    /// </summary>
    internal static async Task PumpAsync(SseConnection connection, RoomCursor cursor, PipeWriter writer, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        var writes = 0;
        while (await connection.WaitToReadAsync(cancellationToken))
        {
            var events = 0;
            DateTimeOffset? oldest = null;
            while (connection.TryRead(out var frame))
            {
                var before = cursor.Position;
                var bytes = cursor.Admit(frame);
                if (bytes.IsEmpty)
                {
                    continue;
                }

                writer.Write(bytes.Span);
                if (frame is SeqFrame chats)
                {
                    events += (int)(chats.LastSeq - Math.Max(before, chats.FirstSeq - 1));
                    oldest ??= chats.FirstCreatedAt;
                }
                else
                {
                    events++;
                }
            }

            var flushed = await writer.FlushAsync(cancellationToken);
            connection.MarkWritten();
            metrics.Written(events, writes++ % LagSampleEvery == 0 ? oldest : null);
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
