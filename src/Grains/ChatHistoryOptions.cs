using System.ComponentModel.DataAnnotations;

namespace OrleansChat;

/// <summary><c>Chat:History</c>: how much of each room is retained, and how closely a room follows its log.</summary>
public sealed class ChatHistoryOptions
{
    public const string SectionName = "Chat:History";

    /// <summary>Messages retained per room, in the log and in the grain's memory.</summary>
    [Range(1, 100_000)]
    public int MaxMessages { get; set; } = 1000;

    /// <summary>
    /// How often, at most, a room that is being read checks that its log still holds what it serves from memory (one
    /// small read of the store). A log lost under a quiet room, such as a wiped Redis, is noticed within this long
    /// instead of at the room's next append.
    /// </summary>
    [Range(0.05, 3600)]
    public double LogCheckSeconds { get; set; } = 5;

    /// <summary>
    /// Events older than this leave the room's answers at once, and its log with the room's next append, read or
    /// activation (in Redis also by key expiry this long after the room's last append); unset, events stay until
    /// <see cref="MaxMessages"/> pushes them out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan? MaxAge { get; set; }
}
