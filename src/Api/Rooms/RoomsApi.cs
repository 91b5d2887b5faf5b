using System.Diagnostics;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansChat.Api.Auth;
using OrleansChat.Api.Telemetry;
using OrleansChat.Telemetry;

namespace OrleansChat.Api.Rooms;

/// <summary>The room endpoints of docs/api.md.</summary>
internal static class RoomsApi
{
    public const string PostsRateLimitPolicy = "posts";

    /// <summary>
    /// On a post's answer: the epoch of the log that holds the message. A client that shows the message before its
    /// event reaches the client's stream needs it to resume from the right log.
    /// </summary>
    public const string EpochHeader = "Chat-Epoch";

    public static IEndpointRouteBuilder MapRoomsApi(this IEndpointRouteBuilder endpoints)
    {
        var room = endpoints.MapGroup("/rooms/{roomId}")
            .WithTags("Rooms")
            .AddOpenApiOperationTransformer(RoomsOpenApi.DescribeRoomOperation)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        room.MapGet("", GetRoom).RequireAuthorization(RoomRight.Read.PolicyName())
            .WithName(nameof(GetRoom))
            .WithSummary("Where a room stands")
            .WithDescription("The room's lastSeq, firstRetainedSeq and epoch (the log's name; absent for an empty room). "
                + "A room nobody posted to reads lastSeq 0, firstRetainedSeq 1.");
        room.MapGet("/messages", GetMessages).RequireAuthorization(RoomRight.Read.PolicyName())
            .WithName(nameof(GetMessages))
            .WithSummary("A page of history, oldest first")
            .WithDescription("Messages as they now stand (edited text, tombstones), with the room's lastSeq and epoch. Without after or before: "
                + "the latest messages. With after: the oldest messages above it. With before: the newest messages below it. "
                + "A page shorter than limit means there are no more in that direction.");
        room.MapPost("/messages", PostMessage).RequireAuthorization(RoomRight.Write.PolicyName()).RequireRateLimiting(PostsRateLimitPolicy)
            .WithName(nameof(PostMessage))
            .WithSummary("Post a message")
            .WithDescription("201 with the stored message once it is durable. A retry with the same clientMessageId (same user), "
                + "while the original is retained, answers 200 with the original and stores nothing. A rejected post stores nothing.")
            .AddOpenApiOperationTransformer(RoomsOpenApi.DeclarePostBody)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        room.MapGet("/messages/{seq}", GetMessage).RequireAuthorization(RoomRight.Read.PolicyName())
            .WithName(nameof(GetMessage))
            .WithSummary("One retained message")
            .WithDescription("The message a 201's Location names, as it now stands, while the room retains it.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        room.MapMessageChanges();
        room.MapGet("/events", GetEvents).RequireAuthorization(RoomRight.Read.PolicyName())
            .WithName(nameof(GetEvents))
            .WithSummary("The room as Server-Sent Events")
            .WithDescription("First a retry: hint, then the room's events in seq order, each once, with id {seq}-{epoch}: `event: chat` "
                + "(a new message), `event: edit` and `event: delete` (data: the message as it now stands); "
                + "`event: gap` when a resume point lies below the retained history, `event: reset` when it lies beyond the room "
                + "or is of another epoch, and on an open stream when the room's log starts again under a new epoch; "
                + "`: keepalive` comments while idle; with presence=true also `presence`, `join`, `leave` and `typing` events (no id). "
                + "503 when the node holds its maximum of streams or is shutting down.")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .AddOpenApiOperationTransformer(RoomsOpenApi.DeclareResumePoint)
            .AddOpenApiOperationTransformer(PresenceApi.DeclarePresenceQuery);
        return endpoints;
    }

    public static async Task<Results<Ok<RoomInfo>, ProblemHttpResult>> GetRoom(string roomId, IGrainFactory grains)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        return TypedResults.Ok(await grains.GetGrain<IRoomGrain>(roomId).GetInfo());
    }

    public static async Task<Results<Ok<HistoryPage>, ProblemHttpResult>> GetMessages(
        string roomId, string? after, string? before, string? limit, IGrainFactory grains)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        if (!RoomRequest.TryParseOptional(after, long.MaxValue, out var afterSeq))
        {
            return InvalidQuery($"'after' must be a non-negative integer seq, not '{after}'.");
        }

        if (!RoomRequest.TryParseOptional(before, long.MaxValue, out var beforeSeq))
        {
            return InvalidQuery($"'before' must be a non-negative integer seq, not '{before}'.");
        }

        if (!RoomRequest.TryParseOptional(limit, ChatLimits.MaxPageSize, out var pageSize) || pageSize == 0)
        {
            return InvalidQuery($"'limit' must be an integer from 1 to {ChatLimits.MaxPageSize}, not '{limit}'.");
        }

        var page = await grains.GetGrain<IRoomGrain>(roomId).GetHistory(new HistoryQuery(afterSeq, beforeSeq, (int)(pageSize ?? ChatLimits.DefaultPageSize)));
        return TypedResults.Ok(page);
    }

    /// <summary>The message a <c>201</c>'s <c>Location</c> names, while it is retained.</summary>
    public static async Task<Results<Ok<ChatMessage>, ProblemHttpResult>> GetMessage(string roomId, string seq, IGrainFactory grains)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        if (!RoomRequest.TryParseNumber(seq, long.MaxValue, out var number) || number == 0)
        {
            return InvalidQuery($"The seq must be a positive integer, not '{seq}'.");
        }

        var page = await grains.GetGrain<IRoomGrain>(roomId).GetHistory(new HistoryQuery(number - 1, null, 1));
        return page.Messages is [var message] && message.Seq == number
            ? TypedResults.Ok(message)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No such message",
                detail: $"Room '{roomId}' has no retained message {number} (lastSeq {page.LastSeq}, firstRetainedSeq {page.FirstRetainedSeq}).");
    }

    public static async Task<Results<Created<ChatMessage>, Ok<ChatMessage>, ProblemHttpResult>> PostMessage(
        string roomId, HttpRequest request, ClaimsPrincipal principal, IGrainFactory grains, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        var (body, problem) = await JsonBody.ReadAsync(request, ChatJsonContext.Default.PostMessageRequest, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        var user = ChatUser.From(principal);
        if (user is not null)
        {
            // With a token the body's userId is optional, and when given it must be the token's.
            if (body.UserId is not null && body.UserId != user.Id)
            {
                metrics.Rejected(StatusCodes.Status403Forbidden, RejectionReasons.Forbidden);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Forbidden",
                    detail: "The body's 'userId' is not the token's subject (sub); a token posts only as its own user. Nothing was stored.");
            }

            body.UserId = user.Id;
        }

        if (body.Validate(out var message) is { } error)
        {
            return JsonBody.Invalid("Invalid message", error);
        }

        var started = Stopwatch.GetTimestamp();
        PostResult result;
        using (var activity = ChatTelemetry.Source.StartActivity("chat.post"))
        {
            result = await grains.GetGrain<IRoomGrain>(roomId).Post(message! with { UserName = user?.Name });
            activity?.SetTag("chat.seq", result.Message.Seq).SetTag("chat.post.created", result.Created);
        }

        metrics.Posted(result.Created, started);
        request.HttpContext.Response.Headers[EpochHeader] = result.Epoch;
        return result.Created
            ? TypedResults.Created($"/rooms/{roomId}/messages/{result.Message.Seq}", result.Message)
            : TypedResults.Ok(result.Message);
    }

    [AccessTokenInQuery]
    public static Results<RoomEventStream, ProblemHttpResult> GetEvents(string roomId, HttpRequest request)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        // The header wins: browsers send it on their own reconnects, after the page's first lastEventId.
        var presence = string.Equals(request.Query["presence"], "true", StringComparison.OrdinalIgnoreCase);
        string? resumeFrom = request.Headers["Last-Event-ID"];
        if (string.IsNullOrEmpty(resumeFrom))
        {
            resumeFrom = request.Query["lastEventId"];
        }

        if (string.IsNullOrEmpty(resumeFrom))
        {
            return new RoomEventStream(roomId, ResumeAfter: null, Presence: presence);
        }

        if (!RoomRequest.TryParseResumePoint(resumeFrom, out var after, out var epoch))
        {
            return InvalidQuery($"The resume point (Last-Event-ID or lastEventId) must be an event id '{{seq}}-{{epoch}}' or a bare seq, not '{resumeFrom}'.");
        }

        return new RoomEventStream(roomId, after, epoch, presence);
    }

    internal static ProblemHttpResult InvalidRoomId(string roomId) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid room id",
        detail: $"Room id '{roomId}' must be 1–64 characters of A–Z, a–z, 0–9, '_', '.', '-', starting with a letter or digit.");

    internal static ProblemHttpResult InvalidQuery(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid query", detail: detail);
}
