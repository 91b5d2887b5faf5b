using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace OrleansChat.Api.Auth;

/// <summary>
/// Decides every room access in one place. A token's rights come from its <c>chat_*</c> claims (a token with none of
/// them may read and write every room, and moderate none); without a token, the mode decides. Failing an anonymous
/// request makes the middleware challenge (401); failing an authenticated one makes it forbid (403).
/// </summary>
internal sealed class RoomAccessHandler(IOptions<ChatAuthOptions> options) : AuthorizationHandler<RoomAccessRequirement>
{
    private static readonly string[] RightClaims = [.. Enum.GetValues<RoomRight>().Select(right => right.ClaimType())];

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RoomAccessRequirement requirement)
    {
        if (context.Resource is not HttpContext http || http.GetRouteValue("roomId") is not string roomId)
        {
            context.Fail(new AuthorizationFailureReason(this, "The endpoint names no room."));
            return;
        }

        // A token that was sent and refused is never worth less than no token: the middleware answers 401 invalid_token.
        if ((await http.AuthenticateAsync()).Failure is not null)
        {
            return;
        }

        // Anyone may read these rooms, with or without a token: a token's claims cannot make that less.
        if (requirement.Rights is [RoomRight.Read] && RoomPattern.AnyMatches(options.Value.AnonymousRead, roomId))
        {
            context.Succeed(requirement);
            return;
        }

        if (context.User.Identity?.IsAuthenticated == true)
        {
            if (requirement.Rights.Any(right => Grants(context.User, right, roomId)))
            {
                context.Succeed(requirement);
            }
            else
            {
                var rights = string.Join(" or ", requirement.Rights.Select(right => right.ClaimType()));
                context.Fail(new AuthorizationFailureReason(this, $"The token does not grant {rights} on room '{roomId}'."));
            }
        }
        else if (options.Value.Mode == AuthMode.Development)
        {
            // v1 behaviour: the body's userId is trusted.
            context.Succeed(requirement);
        }
    }

    private static bool Grants(ClaimsPrincipal user, RoomRight right, string roomId)
    {
        if (!user.Claims.Any(claim => RightClaims.Contains(claim.Type)))
        {
            return right != RoomRight.Moderate;
        }

        return RoomPattern.AnyMatches(user.FindAll(right.ClaimType()).Select(claim => claim.Value), roomId);
    }
}
