using OrleansChat.Api.Events;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// Paces a feed's live events: the first events after a quiet spell go out at once; events that follow within
/// <c>Chat:Feed:DeliveryWindowMilliseconds</c> of a delivery wait for the window's end and go out together, as one
/// frame. A hot room then costs each of its connections one queue entry, one wake and one flush (one socket write)
/// per window rather than per stream event, for at most one window of added latency; a quiet room none.
/// </summary>
/// <remarks>
/// Not thread-safe: the feed calls it under its gate, the timer's callback included. The timer is made on the first
/// wait, so the many feeds of quiet rooms hold none.
/// </remarks>
internal sealed class DeliveryWindow(TimeSpan window, TimeProvider time, Func<Task> onWindowEnd) : IDisposable
{
    private readonly List<ChatFrame> _waiting = [];
    private ITimer? _timer;
    private long _lastDelivery = long.MinValue;
    private bool _armed;

    /// <summary>
    /// Takes the next consecutive events of the feed's epoch (already admitted by the feed's cursor): returns the frame
    /// to deliver now, or null when they wait for the window's end (<paramref name="onWindowEnd"/> then calls
    /// <see cref="TakeWaiting"/>).
    /// </summary>
    public SeqFrame? Add(IReadOnlyList<ChatFrame> frames)
    {
        var now = time.GetTimestamp();
        if (_waiting.Count == 0 && (_lastDelivery == long.MinValue || time.GetElapsedTime(_lastDelivery, now) >= window))
        {
            _lastDelivery = now;
            return ChatBatchFrame.Of(frames);
        }

        _waiting.AddRange(frames);
        if (!_armed)
        {
            _armed = true;
            var due = window - time.GetElapsedTime(_lastDelivery, now);
            _timer ??= time.CreateTimer(static state => ((DeliveryWindow)state!).WindowEnded(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }

        return null;
    }

    /// <summary>
    /// What waits, as one frame (null when nothing does): for the window's end, and for the feed to deliver before
    /// anything that must come after it (a catch-up's frames).
    /// </summary>
    public SeqFrame? TakeWaiting()
    {
        _armed = false;
        if (_waiting.Count == 0)
        {
            return null;
        }

        var frame = ChatBatchFrame.Of(_waiting);
        _waiting.Clear();
        _lastDelivery = time.GetTimestamp();
        return frame;
    }

    public void Dispose() => _timer?.Dispose();

    private void WindowEnded() => _ = onWindowEnd();
}
