using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansChat.Api.Auth;
using OrleansChat.Api.Presence;

namespace OrleansChat.Api.Rooms;

/// <summary>The presence endpoints of docs/api.md: who is in a room, and who is typing.</summary>
internal static class PresenceApi
{
    public static IEndpointRouteBuilder MapPresenceApi(this IEndpointRouteBuilder endpoints)
    {
        var room = endpoints.MapGroup("/rooms/{roomId}")
            .WithTags("Presence")
            .AddOpenApiOperationTransformer(RoomsOpenApi.DescribeRoomOperation)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        room.MapGet("/presence", GetPresence).RequireAuthorization(RoomRight.Read.PolicyName())
            .WithName(nameof(GetPresence))
            .WithSummary("Who is in a room")
            .WithDescription("Users with an open event stream to the room on any node, or whose last one closed less than the grace ago: "
                + $"count is exact, members lists the first {RoomPresence.MaxMembers} by since; anonymous counts streams without a token.");
        room.MapPost("/typing", PostTyping).RequireAuthorization(RoomRight.Write.PolicyName())
            .WithName(nameof(PostTyping))
            .WithSummary("Tell the room the caller is typing")
            .WithDescription("204. Sends `event: typing` to the room's ?presence=true streams, at most once per user and room per 2 s "
                + "(more are accepted and dropped). In Development mode without a token, the userId query parameter names the user.");
        return endpoints;
    }

    /// <summary>The events endpoint reads <c>presence</c> from the raw query, where the generator cannot see it.</summary>
    public static Task DeclarePresenceQuery(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "presence",
            In = ParameterLocation.Query,
            Description = "true: the stream also carries `presence` (first), `join`, `leave` and `typing` events, without ids.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
        });
        return Task.CompletedTask;
    }

    public static async Task<Results<Ok<RoomPresence>, ProblemHttpResult>> GetPresence(string roomId, IGrainFactory grains)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        return TypedResults.Ok((await grains.GetGrain<IPresenceGrain>(roomId).GetPresence()).Presence);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> PostTyping(
        string roomId, string? userId, ClaimsPrincipal principal, IGrainFactory grains, TypingThrottle throttle, PresenceMetrics metrics)
    {
        if (!RoomRequest.IsValidRoomId(roomId))
        {
            return InvalidRoomId(roomId);
        }

        // Without a token the write policy let the request through only in Development mode, which trusts the caller.
        var user = ChatUser.From(principal) is { } chatUser ? new PresenceUser(chatUser.Id, chatUser.Name)
            : userId is { Length: > 0 and <= ChatLimits.MaxUserIdLength } && !userId.Any(char.IsControl) ? new PresenceUser(userId, null)
            : null;
        if (user is null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Who is typing?",
                detail: $"Without a token, the userId query parameter must name the user: 1–{ChatLimits.MaxUserIdLength} characters without control characters.");
        }

        var forwarded = throttle.TryPass(roomId, user.UserId);
        metrics.Typed(forwarded);
        if (forwarded)
        {
            await grains.GetGrain<IPresenceGrain>(roomId).Typing(user);
        }

        return TypedResults.NoContent();
    }

    private static ProblemHttpResult InvalidRoomId(string roomId) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid room id",
        detail: $"Room id '{roomId}' must be 1–64 characters of A–Z, a–z, 0–9, '_', '.', '-', starting with a letter or digit.");
}
