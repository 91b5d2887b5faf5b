namespace OrleansChat;

/// <summary>
/// When a room's presence grain next ticks: one coalescing interval after changes began to wait, else at the
/// earliest deadline (a lease, a grace or a typing pause ending), else never. A quiet room whose nodes only renew
/// thus costs no turns between renewals.
/// </summary>
/// <remarks>
/// The tick is a one-shot grain timer, so it is a turn of the grain like any call. A deadline is kept by the presence
/// clock (a fake one in tests), whose timer only makes the grain timer due at once; it repeats each interval until the
/// tick begins, since a change made from outside the grain just as a tick completes can be lost. A poke from outside
/// (<see cref="Poke"/>: a node's silo lease ended) works the same way, and no deadline armed after it replaces it.
/// </remarks>
internal sealed class PresenceTicks : IDisposable
{
    private readonly IGrainTimer _tick;
    private readonly ITimer _deadline;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Lock _deadlineLock = new();
    private bool _soon;
    private bool _poked;
    private DateTimeOffset? _due;

    public PresenceTicks(IGrainTimer tick, TimeProvider time, TimeSpan interval)
    {
        _tick = tick;
        _time = time;
        _interval = interval;
        _deadline = time.CreateTimer(_ => TickNow(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A tick has begun: nothing is armed until the grain says what comes next.</summary>
    public void Ticking()
    {
        _soon = false;
        lock (_deadlineLock)
        {
            _poked = false;
            _due = null;
            _deadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Ticks as soon as the grain can, from any thread; the grain reads what changed outside it then.</summary>
    public void Poke()
    {
        lock (_deadlineLock)
        {
            _poked = true;
            try
            {
                _deadline.Change(TimeSpan.Zero, _interval);
            }
            catch (ObjectDisposedException)
            {
                // The grain deactivated meanwhile.
            }
        }
    }

    /// <summary>Ticks one interval from now, unless a tick is already that close: changes keep coalescing until it.</summary>
    public void Soon()
    {
        if (!_soon)
        {
            _soon = true;
            _tick.Change(_interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Ticks at <paramref name="deadline"/>, or at no deadline when null. It replaces the one armed, later as well as
    /// earlier: a renewal that moves a lease on must not leave a tick behind at its old end.
    /// </summary>
    public void At(DateTimeOffset? deadline)
    {
        lock (_deadlineLock)
        {
            if (_poked || deadline == _due)
            {
                return;
            }

            _due = deadline;
            var now = _time.GetUtcNow();
            var delay = deadline is not { } at ? Timeout.InfiniteTimeSpan : at > now ? at - now : TimeSpan.Zero;
            _deadline.Change(delay, deadline is null ? Timeout.InfiniteTimeSpan : _interval);
        }
    }

    public void Dispose()
    {
        lock (_deadlineLock)
        {
            _deadline.Dispose();
        }
    }

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
