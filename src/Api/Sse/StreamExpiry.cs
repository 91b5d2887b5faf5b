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
        // Timers count whole milliseconds and drop the fraction: rounded up, the frame never leaves before exp.
        var due = TimeSpan.FromMilliseconds(Math.Ceiling((expiresAt - time.GetUtcNow()).TotalMilliseconds));
        return time.CreateTimer(
            static state => ((Action)state!)(),
            () => connection.CloseWith(ExpiredFrame.Of(roomId)),
            due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Timeout.InfiniteTimeSpan);
    }
}
