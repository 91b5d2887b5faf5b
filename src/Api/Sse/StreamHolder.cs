using System.Globalization;
using System.Security.Claims;

namespace OrleansChat.Api.Sse;

/// <summary>
/// Who holds an event stream, read from the request's principal with the JWT claim names the bearer handler keeps:
/// <c>sub</c> the user, <c>exp</c> when the token expires (Unix seconds). A request without a token is anonymous.
/// </summary>
internal sealed record StreamHolder(string? UserId, DateTimeOffset? ExpiresAt)
{
    public static StreamHolder Of(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true || principal.FindFirstValue("sub") is not { Length: > 0 } userId)
        {
            return new StreamHolder(null, null);
        }

        DateTimeOffset? expiresAt = long.TryParse(principal.FindFirstValue("exp"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
        return new StreamHolder(userId, expiresAt);
    }
}
