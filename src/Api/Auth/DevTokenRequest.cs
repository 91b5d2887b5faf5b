namespace OrleansChat.Api.Auth;

/// <summary>The body of <c>POST /auth/dev-token</c>, as sent (fields may be missing or invalid).</summary>
internal sealed class DevTokenRequest
{
    public const int DefaultTtlSeconds = 3600;
    public const int MaxTtlSeconds = 86_400;

    public string? UserId { get; set; }

    public string? Name { get; set; }

    public int? TtlSeconds { get; set; }

    public string[]? Read { get; set; }

    public string[]? Write { get; set; }

    public string[]? Moderate { get; set; }

    /// <summary>The first rule this request breaks, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrEmpty(UserId) || UserId.Length > ChatLimits.MaxUserIdLength || UserId.Any(char.IsControl))
        {
            return $"'userId' is required and must be 1–{ChatLimits.MaxUserIdLength} characters without control characters.";
        }

        if (Name is not null && (Name.Length is 0 or > ChatUser.MaxNameLength || Name.Any(char.IsControl)))
        {
            return $"'name', when present, must be 1–{ChatUser.MaxNameLength} characters without control characters.";
        }

        if (TtlSeconds is < 1 or > MaxTtlSeconds)
        {
            return $"'ttlSeconds', when present, must be 1–{MaxTtlSeconds}.";
        }

        foreach (var (right, patterns) in Rights())
        {
            // An empty list would leave the token without that claim; with none of the three it would grant everything.
            if (patterns is [] || patterns.Any(pattern => pattern is null || !RoomPattern.IsValid(pattern)))
            {
                return $"'{right.ToString().ToLowerInvariant()}', when present, must be a non-empty list of room patterns (a room id, a prefix ending in '*', or '*').";
            }
        }

        return null;
    }

    /// <summary>Each right the request names, with its patterns.</summary>
    public IEnumerable<(RoomRight Right, string[] Patterns)> Rights()
    {
        if (Read is not null)
        {
            yield return (RoomRight.Read, Read);
        }

        if (Write is not null)
        {
            yield return (RoomRight.Write, Write);
        }

        if (Moderate is not null)
        {
            yield return (RoomRight.Moderate, Moderate);
        }
    }
}

/// <summary>A signed token for the user of the request, and when it expires.</summary>
internal sealed record DevTokenResponse(string Token, DateTimeOffset ExpiresAt);
