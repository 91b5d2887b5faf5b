using System.ComponentModel.DataAnnotations;

namespace OrleansChat;

/// <summary><c>Chat:History</c>: how much of each room is retained.</summary>
public sealed class ChatHistoryOptions
{
    public const string SectionName = "Chat:History";

    /// <summary>Messages retained per room, in the log and in the grain's memory.</summary>
    [Range(1, 100_000)]
    public int MaxMessages { get; set; } = 1000;
}
