using Microsoft.Extensions.Logging;

namespace OrleansChat;

/// <summary>
/// A room's age limit (<see cref="ChatHistoryOptions.MaxAge"/>): which events are too old, dropping them from the
/// room's window at once, and whether its log still holds some that the window dropped.
/// </summary>
/// <remarks>
/// The window and the log drop by one rule and one cutoff (the oldest events while their time is before it), so they
/// keep the same events. The log is trimmed in the same step as each append, at no extra round trip; otherwise only
/// when the window dropped something the log was not yet trimmed by.
/// </remarks>
internal sealed partial class RoomAgeLimit(TimeSpan? maxAge, TimeProvider time, IRoomLog log, string roomId, ILogger logger)
{
    // The latest cutoff the window dropped events by, and the latest the log is known to be trimmed by.
    private DateTimeOffset _droppedBefore = DateTimeOffset.MinValue;
    private DateTimeOffset _trimmedBefore = DateTimeOffset.MinValue;
    private bool _trimming;

    /// <summary>True while the log holds events the window dropped and no trim of it is under way.</summary>
    public bool LogNeedsTrim => _droppedBefore > _trimmedBefore && !_trimming;

    /// <summary>
    /// Events with a time before this are too old; whole milliseconds, as event times are, so that the log's rule on
    /// Unix milliseconds drops exactly what the window's does. Null without an age limit.
    /// </summary>
    public DateTimeOffset? Cutoff()
    {
        if (maxAge is not { } age)
        {
            return null;
        }

        var cutoff = time.GetUtcNow() - age;
        return new DateTimeOffset(cutoff.Ticks - cutoff.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    /// <summary>
    /// Drops the events that are too old now from the window, and the retries of the messages whose own events went, so
    /// that a retry of one is a new message.
    /// </summary>
    public void DropExpired(RoomWindow window, PostRetries retries)
    {
        if (Cutoff() is { } cutoff)
        {
            Drop(window, retries, cutoff);
        }
    }

    /// <summary>
    /// Drops what is too old from the window, so that no answer shows it. An append trims the log in the same step;
    /// otherwise the log follows now, so a room that stops posting keeps no expired events in the store while it lives.
    /// </summary>
    public void Expire(RoomWindow window, PostRetries retries, bool appending)
    {
        DropExpired(window, retries);
        if (!appending && LogNeedsTrim)
        {
            _ = TrimLogAsync();
        }
    }

    /// <summary>The log trimmed itself by <paramref name="cutoff"/> (an append did): the window follows.</summary>
    public void Trimmed(RoomWindow window, PostRetries retries, DateTimeOffset cutoff)
    {
        if (cutoff > _trimmedBefore)
        {
            _trimmedBefore = cutoff;
        }

        Drop(window, retries, cutoff);
    }

    /// <summary>
    /// Trims the log by what the window dropped, when it still holds some. Never throws: a trim that fails is done again
    /// by the next append, or the next trim.
    /// </summary>
    public async Task TrimLogAsync()
    {
        if (!LogNeedsTrim)
        {
            return;
        }

        _trimming = true;
        try
        {
            var cutoff = _droppedBefore;
            await log.TrimBeforeAsync(roomId, cutoff);
            if (cutoff > _trimmedBefore)
            {
                _trimmedBefore = cutoff;
            }
        }
        catch (Exception exception)
        {
            LogTrimFailed(logger, exception, roomId);
        }
        finally
        {
            _trimming = false;
        }
    }

    private void Drop(RoomWindow window, PostRetries retries, DateTimeOffset cutoff)
    {
        var first = window.FirstSeq;
        foreach (var message in window.DropBefore(cutoff))
        {
            retries.Forget(message);
        }

        if (window.FirstSeq != first && cutoff > _droppedBefore)
        {
            _droppedBefore = cutoff;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: trimming expired events from the log failed; the next append or trim does it.")]
    private static partial void LogTrimFailed(ILogger logger, Exception exception, string roomId);
}
