namespace OrleansChat;

/// <summary>
/// Durable storage of a room's messages. Appends are conditional on the expected next seq so that a stale or
/// duplicate grain activation can never store a second message under a seq, and trimming to the retention
/// limit happens inside the store, so one post costs one append.
/// </summary>
public interface IRoomLog
{
    /// <summary>The newest <paramref name="maxMessages"/> messages, oldest first, and the last seq ever stored.</summary>
    Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxMessages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends consecutive messages whose first seq must be the log's last seq + 1, then trims the log to
    /// <paramref name="maxMessages"/>, and returns the log's last seq after the append. Throws
    /// <see cref="RoomLogConflictException"/> if another writer got there first.
    /// </summary>
    Task<long> AppendAsync(string roomId, IReadOnlyList<ChatMessage> messages, int maxMessages, CancellationToken cancellationToken = default);

    /// <summary>Deletes the messages with a seq below <paramref name="firstKeptSeq"/>; the last seq stays.</summary>
    Task TrimBelowAsync(string roomId, long firstKeptSeq, CancellationToken cancellationToken = default);
}

public sealed record RoomLogSnapshot(long LastSeq, IReadOnlyList<ChatMessage> Messages)
{
    public static readonly RoomLogSnapshot Empty = new(0, []);
}

/// <summary>The log already holds a different last seq than the appender expected.</summary>
public sealed class RoomLogConflictException(string roomId, long expectedLastSeq, long actualLastSeq)
    : Exception($"Room '{roomId}' log is at seq {actualLastSeq}, expected {expectedLastSeq}.")
{
    public long ActualLastSeq { get; } = actualLastSeq;
}
