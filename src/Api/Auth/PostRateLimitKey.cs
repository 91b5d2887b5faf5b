namespace OrleansChat.Api.Auth;

/// <summary>Whose posts share a rate limit bucket.</summary>
internal static class PostRateLimitKey
{
    /// <summary>
    /// The token's user; without a token, the client address. A Development request's body userId is not used:
    /// it is unverified, and a client could dodge its limit by changing it.
    /// </summary>
    public static string Of(HttpContext context) => ChatUser.From(context.User) is { } user
        ? "user:" + user.Id
        : "address:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
