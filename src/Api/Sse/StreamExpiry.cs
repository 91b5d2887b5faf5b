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
        var due = expiresAt - time.GetUtcNow();
        return time.CreateTimer(
            static state => ((Action)state!)(),
            () => connection.CloseWith(ExpiredFrame.Of(roomId)),
            due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Timeout.InfiniteTimeSpan);
    }
}
