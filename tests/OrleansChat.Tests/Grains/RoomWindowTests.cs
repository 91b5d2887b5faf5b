namespace OrleansChat.Tests.Grains;

/// <summary>
/// The room's window keeps the newest events up to its capacity, in order, whether its ring is still growing, has
/// wrapped after an age trim, or is full and evicting.
/// </summary>
public sealed class RoomWindowTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-29T10:00:00Z");

    [Fact]
    public void A_window_growing_past_its_first_slots_keeps_every_event_until_full_then_evicts_the_oldest()
    {
        var window = new RoomWindow(capacity: 40, lastSeq: 0, recent: []);

        var evicted = Enumerable.Range(1, 50).Select(seq => window.Append(Posted(seq))?.Seq).ToList();

        Assert.All(evicted.Take(40), Assert.Null);
        Assert.Equal(Enumerable.Range(1, 10).Select(seq => (long?)seq), evicted.Skip(40));
        Assert.Equal(11, window.FirstSeq);
        Assert.Equal(Enumerable.Range(11, 40).Select(seq => (long)seq), window.Events(0, 100).Select(e => e.Seq));
        Assert.Equal($"text {50}", window.Message(50)?.Text);
    }

    [Fact]
    public void A_ring_that_wrapped_after_an_age_trim_grows_with_its_events_in_order()
    {
        var window = new RoomWindow(capacity: 1000, lastSeq: 0, recent: []);
        for (var seq = 1; seq <= 16; seq++)
        {
            window.Append(Posted(seq));
        }

        var dropped = window.DropBefore(Start.AddMinutes(6));
        for (var seq = 17; seq <= 60; seq++)
        {
            window.Append(Posted(seq));
        }

        Assert.Equal([1, 2, 3, 4, 5], dropped.Select(m => m.Seq));
        Assert.Equal(Enumerable.Range(6, 55).Select(seq => (long)seq), window.Events(0, 100).Select(e => e.Seq));
        Assert.Equal(
            Enumerable.Range(51, 10).Select(seq => $"text {seq}"),
            window.Messages(new HistoryQuery(After: null, Before: null, Limit: 10)).Select(m => m.Text));
    }

    [Fact]
    public void A_window_rebuilt_from_recent_events_keeps_the_newest_up_to_its_capacity()
    {
        var recent = Enumerable.Range(1, 30).Select(Posted).ToList();

        var window = new RoomWindow(capacity: 20, lastSeq: 30, recent);
        window.Append(Posted(31));

        Assert.Equal(12, window.FirstSeq);
        Assert.Equal(Enumerable.Range(12, 20).Select(seq => (long)seq), window.Events(0, 100).Select(e => e.Seq));
    }

    private static RoomEvent Posted(int seq) =>
        RoomEvent.Posted(new ChatMessage("room", seq, "ann", $"text {seq}", Start.AddMinutes(seq), ClientMessageId: null));
}
