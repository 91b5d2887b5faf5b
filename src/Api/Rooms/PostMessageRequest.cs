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
        if (string.IsNullOrEmpty(UserId) || UserId.Length > ChatLimits.MaxUserIdLength)
        {
            return $"'userId' is required and must be 1–{ChatLimits.MaxUserIdLength} characters.";
        }

        if (UserId.Any(char.IsControl))
        {
            return "'userId' must not contain control characters.";
        }

        if (Text is null || Text.Length > ChatLimits.MaxTextLength || Text.Trim().Length == 0)
        {
            return $"'text' is required and must be 1–{ChatLimits.MaxTextLength} characters, not only whitespace.";
        }

        if (Text.Contains('\0'))
        {
            return "'text' must not contain NUL characters.";
        }

        if (ClientMessageId is not null
            && (ClientMessageId.Length is 0 or > ChatLimits.MaxClientMessageIdLength || ClientMessageId.Any(char.IsControl)))
        {
            return $"'clientMessageId', when present, must be 1–{ChatLimits.MaxClientMessageIdLength} characters without control characters.";
        }

        message = new PostMessage(UserId, Text, ClientMessageId);
        return null;
    }
}
