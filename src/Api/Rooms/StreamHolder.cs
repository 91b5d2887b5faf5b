using System.Globalization;
using System.Security.Claims;
using OrleansChat.Api.Auth;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// Who holds an event stream: the user of a validated token (<c>sub</c>) and when the token expires (<c>exp</c>, Unix
/// seconds, as the bearer handler keeps the JWT's claims), or nobody for a request without a token.
/// </summary>
internal sealed record StreamHolder(string? UserId, DateTimeOffset? ExpiresAt)
{
    public const string ExpiryClaim = "exp";

    public static StreamHolder Of(ClaimsPrincipal principal)
    {
        if (ChatUser.From(principal) is not { } user)
        {
            return new StreamHolder(null, null);
        }

        DateTimeOffset? expiresAt = long.TryParse(principal.FindFirstValue(ExpiryClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
        return new StreamHolder(user.Id, expiresAt);
    }
}
