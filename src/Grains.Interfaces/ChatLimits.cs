namespace OrleansChat;

/// <summary>The contract's limits, in one place for the endpoints, the grains and the node's feeds.</summary>
public static class ChatLimits
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxUserIdLength = 64;
    public const int MaxTextLength = 4000;
    public const int MaxClientMessageIdLength = 64;

    /// <summary>History page size when a request names none.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest history page: what a request may ask for, and what replays and catch-ups read at once.</summary>
    public const int MaxPageSize = 500;
}
