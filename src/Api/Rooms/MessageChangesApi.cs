using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansChat.Api.Auth;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Rooms;

/// <summary><c>PATCH</c> and <c>DELETE /rooms/{roomId}/messages/{seq}</c>: edits and deletions, each a new event of the room.</summary>
internal static class MessageChangesApi
{
    public static RouteGroupBuilder MapMessageChanges(this RouteGroupBuilder room)
    {
        room.MapPatch("/messages/{seq}", EditMessage).RequireAuthorization(RoomRight.Write.PolicyName()).RequireRateLimiting(RoomsApi.PostsRateLimitPolicy)
            .WithName(nameof(EditMessage))
            .WithSummary("Edit one's own message")
            .WithDescription("Body {\"text\"} (and {\"userId\"}, the actor, in Development mode without a token). 200 with the message as it "
                + "now stands (editedAt set); the edit is the room's next event and only the newest text is kept. 403 not the author; "
                + "404 no such retained message, or a deleted one.")
            .AddOpenApiOperationTransformer(RoomsOpenApi.DeclareEditBody)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        room.MapDelete("/messages/{seq}", DeleteMessage).RequireAuthorization(RoomRights.WriteOrModeratePolicy).RequireRateLimiting(RoomsApi.PostsRateLimitPolicy)
            .WithName(nameof(DeleteMessage))
            .WithSummary("Delete a message")
            .WithDescription("The author (chat_write) or a moderator (chat_moderate). 200 with the tombstone; the deletion is the room's next "
                + "event and the text is gone from every API and from the store. Deleting a tombstone again answers it, with no new event. "
                + "In Development mode without a token, the userId query parameter is the actor.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return room;
    }

    public static async Task<Results<Ok<ChatMessage>, ProblemHttpResult>> EditMessage(
        string roomId, string seq, HttpRequest request, ClaimsPrincipal principal, IGrainFactory grains, ChatMetrics metrics, CancellationToken cancellationToken)
    {
        if (ValidateTarget(roomId, seq, out var number) is { } invalid)
        {
            return invalid;
        }

        var (body, problem) = await JsonBody.ReadAsync(request, ChatJsonContext.Default.EditMessageRequest, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        if (Actor(principal, body.UserId, "the body's 'userId'", metrics, out var actor) is { } refusal)
        {
            return refusal;
        }

        if (MessageRules.TextProblem(body.Text) is { } textProblem)
        {
            return JsonBody.Invalid("Invalid message", textProblem);
        }

        var result = await grains.GetGrain<IRoomGrain>(roomId).Edit(new EditMessage(number, actor!, body.Text!));
        return Answer(result, roomId, number, metrics, "edit", "Only its author may edit a message.");
    }

    public static async Task<Results<Ok<ChatMessage>, ProblemHttpResult>> DeleteMessage(
        string roomId, string seq, string? userId, HttpContext context, IAuthorizationService authorization, IGrainFactory grains, ChatMetrics metrics)
    {
        if (ValidateTarget(roomId, seq, out var number) is { } invalid)
        {
            return invalid;
        }

        if (Actor(context.User, userId, "the 'userId' query parameter", metrics, out var actor) is { } refusal)
        {
            return refusal;
        }

        // Only a token can make its holder a moderator: Development mode trusts who a request says it is, not more.
        var moderator = ChatUser.From(context.User) is not null
            && (await authorization.AuthorizeAsync(context.User, context, RoomRight.Moderate.PolicyName())).Succeeded;
        var result = await grains.GetGrain<IRoomGrain>(roomId).Delete(new DeleteMessage(number, actor!, moderator));
        return Answer(result, roomId, number, metrics, "delete", "Only its author, or a moderator of the room (chat_moderate), may delete a message.");
    }

    private static ProblemHttpResult? ValidateTarget(string roomId, string seq, out long number)
    {
        number = 0;
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return RoomsApi.InvalidRoomId(roomId);
        }

        return RoomRequest.TryParseNumber(seq, long.MaxValue, out number) && number > 0
            ? null
            : RoomsApi.InvalidQuery($"The seq must be a positive integer, not '{seq}'.");
    }

    /// <summary>
    /// Who acts: the token's subject (a <paramref name="claimed"/> userId, if any, must be the same), or without a token
    /// (Development mode) the <paramref name="claimed"/> userId itself.
    /// </summary>
    private static ProblemHttpResult? Actor(ClaimsPrincipal principal, string? claimed, string claimedName, ChatMetrics metrics, out string? actor)
    {
        actor = null;
        if (ChatUser.From(principal) is { } user)
        {
            if (claimed is not null && claimed != user.Id)
            {
                metrics.Rejected(StatusCodes.Status403Forbidden, RejectionReasons.Forbidden);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Forbidden",
                    detail: $"{claimedName} is not the token's subject (sub); a token acts only as its own user. Nothing was changed.");
            }

            actor = user.Id;
            return null;
        }

        if (MessageRules.UserIdProblem(claimed, claimedName) is { } problem)
        {
            return JsonBody.Invalid("Invalid actor", $"Without a token, {problem}");
        }

        actor = claimed;
        return null;
    }

    private static Results<Ok<ChatMessage>, ProblemHttpResult> Answer(
        ChangeResult result, string roomId, long seq, ChatMetrics metrics, string change, string forbidden)
    {
        switch (result.Outcome)
        {
            case ChangeOutcome.Changed or ChangeOutcome.Unchanged:
                return TypedResults.Ok(result.Message!);
            case ChangeOutcome.Forbidden:
                metrics.Rejected(StatusCodes.Status403Forbidden, RejectionReasons.Forbidden);
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: $"{forbidden} Nothing was changed.");
            default:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status404NotFound,
                    title: "No such message",
                    detail: $"Room '{roomId}' has no retained message {seq} to {change}" + (change == "edit" ? " (a deleted message cannot be edited)." : "."));
        }
    }
}
