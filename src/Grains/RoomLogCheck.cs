using Microsoft.Extensions.Logging;

namespace OrleansChat;

/// <summary>
/// A room's check that its log still holds what the room serves from memory: due at most once per interval, and run
/// only when the room is read, so a read room pays one small store read per interval and an idle one none. Without
/// it, a log lost under a quiet room (a wiped Redis) would be served until the room's next append failed.
/// </summary>
internal sealed partial class RoomLogCheck
{
    private readonly IRoomLog _log;
    private readonly string _roomId;
    private readonly int _maxEvents;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset _due;

    /// <summary>For a room that has just read its log: the first check is due one interval from now.</summary>
    public RoomLogCheck(IRoomLog log, string roomId, int maxEvents, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        (_log, _roomId, _maxEvents, _interval, _time, _logger) = (log, roomId, maxEvents, interval, time, logger);
        _due = time.GetUtcNow() + interval;
    }

    public bool IsDue => _time.GetUtcNow() >= _due;

    /// <summary>
    /// What the log now holds if it is not at <paramref name="served"/>; null when it is, or when the store cannot
    /// say (unreachable is not lost: memory keeps serving reads, and an append would fail anyway).
    /// </summary>
    public async Task<RoomLogSnapshot?> ChangedSinceAsync(RoomLogHead served)
    {
        _due = _time.GetUtcNow() + _interval;
        try
        {
            var head = await _log.ReadHeadAsync(_roomId);
            if (head == served)
            {
                return null;
            }

            LogChanged(_logger, _roomId, served.LastSeq, served.Epoch, head.LastSeq, head.Epoch);
            return await _log.ReadRecentAsync(_roomId, _maxEvents);
        }
        catch (Exception exception)
        {
            LogCheckFailed(_logger, exception, _roomId);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: the log no longer holds what the room serves (seq {ServedSeq} of epoch {ServedEpoch}; "
        + "the log is at seq {LogSeq} of epoch {LogEpoch}, as after a wiped store); reading the log again.")]
    private static partial void LogChanged(ILogger logger, string roomId, long servedSeq, string? servedEpoch, long logSeq, string? logEpoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: could not check its log; serving reads from memory until the next check.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string roomId);
}
