using Microsoft.Extensions.Time.Testing;
using OrleansChat.Api.Events;
using OrleansChat.Api.Feeds;

namespace OrleansChat.Tests.Api;

/// <summary>
/// The feed's pacing of live events: at once after a quiet spell, otherwise together at the window's end, never out
/// of order and never held longer than the window.
/// </summary>
public sealed class DeliveryWindowTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(20);

    private static ChatFrame[] Frames(long from, long to) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(seq =>
            ChatFrame.Of("e1", RoomEvent.Posted(new ChatMessage("r", seq, "ann", $"m{seq}", DateTimeOffset.UnixEpoch, null))))];

    [Fact]
    public void Events_after_a_quiet_spell_go_out_at_once()
    {
        var clock = new FakeTimeProvider();
        using var window = new DeliveryWindow(Window, clock, () => Task.CompletedTask);

        Assert.Equal(1, window.Add(Frames(1, 1))?.LastSeq);
        clock.Advance(Window);
        Assert.Equal((2L, 3L), window.Add(Frames(2, 3)) is { } frame ? (frame.FirstSeq, frame.LastSeq) : default);
    }

    [Fact]
    public void Events_within_the_window_wait_for_its_end_and_go_out_as_one_frame()
    {
        var clock = new FakeTimeProvider();
        var ended = 0;
        using var window = new DeliveryWindow(Window, clock, () =>
        {
            ended++;
            return Task.CompletedTask;
        });
        window.Add(Frames(1, 1));

        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Null(window.Add(Frames(2, 2)));
        clock.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Null(window.Add(Frames(3, 4)));
        clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(0, ended);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, ended);
        var waiting = window.TakeWaiting();
        Assert.Equal((2L, 4L), (waiting!.FirstSeq, waiting.LastSeq));
        Assert.Null(window.TakeWaiting());

        // The window runs from that delivery: what comes right after it waits again.
        Assert.Null(window.Add(Frames(5, 5)));
        clock.Advance(Window);
        Assert.Equal(2, ended);
        Assert.Equal(5, window.TakeWaiting()?.LastSeq);
    }

    [Fact]
    public void Events_taken_before_the_window_ends_leave_nothing_for_it()
    {
        var clock = new FakeTimeProvider();
        using var window = new DeliveryWindow(Window, clock, () => Task.CompletedTask);
        window.Add(Frames(1, 1));
        Assert.Null(window.Add(Frames(2, 2)));

        Assert.Equal(2, window.TakeWaiting()?.LastSeq);
        clock.Advance(Window);

        Assert.Null(window.TakeWaiting());
        Assert.Equal(3, window.Add(Frames(3, 3))?.LastSeq);
    }

    [Fact]
    public void A_zero_window_delivers_everything_at_once()
    {
        using var window = new DeliveryWindow(TimeSpan.Zero, new FakeTimeProvider(), () => Task.CompletedTask);

        Assert.Equal(1, window.Add(Frames(1, 1))?.LastSeq);
        Assert.Equal(2, window.Add(Frames(2, 2))?.LastSeq);
    }
}
