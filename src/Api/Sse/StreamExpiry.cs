using OrleansChat.Api.Events;

namespace OrleansChat.Api.Sse;

/// <summary>Ends a stream at its token's <c>exp</c>: one timer per connection, nothing polled.</summary>
internal static class StreamExpiry
{
    /// <summary>
    /// At <paramref name="expiresAt"/> (not extended by the validator's clock skew: a token inside it ends at once),
    /// writes <c>event: expired</c> after what is queued and ends the stream. Disposing the timer cancels it.
    /// </summary>
    public static ITimer Start(SseConnection connection, string roomId, DateTimeOffset expiresAt, TimeProvider time)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(static state => ((Action)state!)(), (Action)Fire, DueIn(), Timeout.InfiniteTimeSpan);
        return timer;

        void Fire()
        {
            // A timer runs on the monotonic clock and may come due a fraction of a millisecond before the wall clock
            // reaches exp: then it waits out the rest, so the frame never leaves before exp.
            if (DueIn() is var rest && rest > TimeSpan.Zero && timer is not null)
            {
                timer.Change(rest, Timeout.InfiniteTimeSpan);
                return;
            }

            connection.CloseWith(ExpiredFrame.Of(roomId));
        }

        // Timers count whole milliseconds and drop the fraction: rounded up.
        TimeSpan DueIn() => TimeSpan.FromMilliseconds(Math.Max(0, Math.Ceiling((expiresAt - time.GetUtcNow()).TotalMilliseconds)));
    }
}
