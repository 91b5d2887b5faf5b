using System.Security.Claims;

namespace OrleansChat.Api.Auth;

/// <summary>Who a validated token says the caller is: <c>sub</c> is the userId, <c>name</c> the display name.</summary>
internal sealed record ChatUser(string Id, string? Name)
{
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";
    public const int MaxNameLength = 64;

    /// <summary>The caller of an authenticated request, or null for a request without a token.</summary>
    public static ChatUser? From(ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true && principal.FindFirst(SubjectClaim) is { } subject
            ? new ChatUser(subject.Value, principal.FindFirst(NameClaim)?.Value is { Length: > 0 } name ? name : null)
            : null;

    /// <summary>Why a token with a good signature still cannot identify a chat user, or null when it can.</summary>
    public static string? Refusal(ClaimsPrincipal principal)
    {
        if (principal.FindFirst(SubjectClaim)?.Value is not { Length: > 0 and <= ChatLimits.MaxUserIdLength } subject || subject.Any(char.IsControl))
        {
            return $"The token's 'sub' claim is required and must be a userId: 1–{ChatLimits.MaxUserIdLength} characters without control characters.";
        }

        if (principal.FindFirst(NameClaim)?.Value is { } name && (name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            return $"The token's 'name' claim must be at most {MaxNameLength} characters without control characters.";
        }

        return null;
    }
}
