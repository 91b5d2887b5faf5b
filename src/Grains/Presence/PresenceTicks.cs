namespace OrleansChat;

/// <summary>
/// When a room's presence grain next ticks: one coalescing interval after changes began to wait, else at the
/// earliest deadline (a lease, a grace or a typing pause ending), else never. A quiet room whose nodes only renew
/// thus costs no turns between renewals.
/// </summary>
/// <remarks>
/// The tick is a one-shot grain timer, so it is a turn of the grain like any call. A deadline is kept by the presence
/// clock (a fake one in tests), whose timer only makes the grain timer due at once.
/// </remarks>
internal sealed class PresenceTicks : IDisposable
{
    private readonly IGrainTimer _tick;
    private readonly ITimer _deadline;
    private readonly TimeProvider _time;
    private bool _soon;
    private DateTimeOffset? _due;

    public PresenceTicks(IGrainTimer tick, TimeProvider time)
    {
        _tick = tick;
        _time = time;
        _deadline = time.CreateTimer(_ => TickNow(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A tick has begun: nothing is armed until the grain says what comes next.</summary>
    public void Ticking()
    {
        _soon = false;
        _due = null;
        _deadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Ticks one interval from now, unless a tick is already that close: changes keep coalescing until it.</summary>
    public void Soon(TimeSpan interval)
    {
        if (!_soon)
        {
            _soon = true;
            _tick.Change(interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ticks at <paramref name="deadline"/> unless a deadline at or before it is armed already.</summary>
    public void At(DateTimeOffset? deadline)
    {
        if (deadline is not { } at || _due <= at)
        {
            return;
        }

        _due = at;
        var delay = at - _time.GetUtcNow();
        _deadline.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _deadline.Dispose();

    private void TickNow()
    {
        try
        {
            _tick.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The grain deactivated while its deadline fell due: nothing is left to expire.
        }
    }
}
