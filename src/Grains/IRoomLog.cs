namespace OrleansChat;

/// <summary>
/// Durable storage of a room's event log. Appends are conditional on the expected last seq and epoch so that a stale
/// or duplicate grain activation can never store a second event under a seq, nor continue a log that was lost and
/// started again; trimming to the retention limit happens inside the store, so one event costs one append. The store
/// holds each message once, as it now stands: an edit keeps only the newest text and a deletion keeps none.
/// </summary>
public interface IRoomLog
{
    /// <summary>
    /// The newest <paramref name="maxEvents"/> events, oldest first, each naming its message as it now stands; the last
    /// seq ever stored; and the log's epoch (null while the log is empty).
    /// </summary>
    Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxEvents, CancellationToken cancellationToken = default);

    /// <summary>
    /// Where the log stands, its last seq and epoch, without its events: a small read that tells a room whether the
    /// log still holds what the room serves (it does not after a wiped store).
    /// </summary>
    Task<RoomLogHead> ReadHeadAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends consecutive events whose first seq must be the log's last seq + 1, then trims the log to
    /// <paramref name="maxEvents"/> events and, given <paramref name="trimBefore"/>, as <see cref="TrimBeforeAsync"/>
    /// does, and returns the log's last seq after the append. An empty log takes <paramref name="epoch"/> as its epoch
    /// in the same atomic step as its first events; a log with another epoch refuses the append. Throws
    /// <see cref="RoomLogConflictException"/> if another writer got there first.
    /// </summary>
    Task<long> AppendAsync(
        string roomId,
        string epoch,
        IReadOnlyList<RoomEvent> events,
        int maxEvents,
        DateTimeOffset? trimBefore = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the oldest events while their time is before <paramref name="cutoff"/> (up to the first that is not,
    /// so the log stays consecutive), and every message no retained event names any more; the last seq and the epoch
    /// stay, so seqs never restart.
    /// </summary>
    Task TrimBeforeAsync(string roomId, DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}

public sealed record RoomLogSnapshot(long LastSeq, string? Epoch, IReadOnlyList<RoomEvent> Events)
{
    public static readonly RoomLogSnapshot Empty = new(0, null, []);
}

/// <summary>The last seq ever stored in a room's log, and the log's epoch (null while the log is empty).</summary>
public sealed record RoomLogHead(long LastSeq, string? Epoch);

/// <summary>The log already holds a different last seq or epoch than the appender expected.</summary>
public sealed class RoomLogConflictException(string roomId, long expectedLastSeq, long actualLastSeq, string? actualEpoch = null)
    : Exception($"Room '{roomId}' log is at seq {actualLastSeq} of epoch '{actualEpoch}', expected seq {expectedLastSeq}.")
{
    public long ActualLastSeq { get; } = actualLastSeq;
}
