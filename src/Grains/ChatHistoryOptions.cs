using System.ComponentModel.DataAnnotations;

namespace OrleansChat;

/// <summary><c>Chat:History</c>: how much of each room is retained.</summary>
public sealed class ChatHistoryOptions
{
    public const string SectionName = "Chat:History";

    /// <summary>Messages retained per room, in the log and in the grain's memory.</summary>
    [Range(1, 100_000)]
    public int MaxMessages { get; set; } = 1000;

    /// <summary>
    /// Events older than this leave the room's answers at once, and its log with the room's next append, read or
    /// activation (in Redis also by key expiry this long after the room's last append); unset, events stay until
    /// <see cref="MaxMessages"/> pushes them out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan? MaxAge { get; set; }
}
