namespace OrleansChat.Api.Rooms;

/// <summary>The body of <c>POST /rooms/{roomId}/messages</c>, as sent (fields may be missing or invalid).</summary>
internal sealed class PostMessageRequest
{
    public string? UserId { get; set; }

    public string? Text { get; set; }

    public string? ClientMessageId { get; set; }

    /// <summary>The first rule of docs/api.md this request breaks, or null with the message to post.</summary>
    public string? Validate(out PostMessage? message)
    {
        message = null;
        if (MessageRules.UserIdProblem(UserId, "'userId'") is { } userIdProblem)
        {
            return userIdProblem;
        }

        if (MessageRules.TextProblem(Text) is { } textProblem)
        {
            return textProblem;
        }

        if (ClientMessageId is not null
            && (ClientMessageId.Length is 0 or > ChatLimits.MaxClientMessageIdLength || ClientMessageId.Any(char.IsControl)))
        {
            return $"'clientMessageId', when present, must be 1–{ChatLimits.MaxClientMessageIdLength} characters without control characters.";
        }

        message = new PostMessage(UserId!, Text!, ClientMessageId);
        return null;
    }
}

/// <summary>The rules of docs/api.md for a userId and a message text, shared by posts, edits and deletions.</summary>
internal static class MessageRules
{
    /// <summary>Why <paramref name="userId"/> (named <paramref name="name"/> in the answer) is not a userId, or null.</summary>
    public static string? UserIdProblem(string? userId, string name)
    {
        if (string.IsNullOrEmpty(userId) || userId.Length > ChatLimits.MaxUserIdLength)
        {
            return $"{name} is required and must be 1–{ChatLimits.MaxUserIdLength} characters.";
        }

        return userId.Any(char.IsControl) ? $"{name} must not contain control characters." : null;
    }

    /// <summary>Why <paramref name="text"/> is not a message text, or null.</summary>
    public static string? TextProblem(string? text)
    {
        if (text is null || text.Length > ChatLimits.MaxTextLength || text.Trim().Length == 0)
        {
            return $"'text' is required and must be 1–{ChatLimits.MaxTextLength} characters, not only whitespace.";
        }

        return text.Contains('\0') ? "'text' must not contain NUL characters." : null;
    }
}

/// <summary>The body of <c>PATCH /rooms/{roomId}/messages/{seq}</c>, as sent.</summary>
internal sealed class EditMessageRequest
{
    /// <summary>The actor in Development mode without a token; with a token, optional and then the token's.</summary>
    public string? UserId { get; set; }

    public string? Text { get; set; }
}
