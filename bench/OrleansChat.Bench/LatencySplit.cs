namespace OrleansChat.Bench;

/// <summary>
/// Latencies of one kind (a post's ack, a message's delivery), all together and, for a cold start, split by whether
/// the post was due in the first seconds of posting (<see cref="EarlyUntilTicks"/>) or later.
/// </summary>
internal sealed class LatencySplit
{
    public Histogram All { get; } = new();

    public Histogram Early { get; } = new();

    public Histogram Late { get; } = new();

    /// <summary>Posts due before this stopwatch timestamp count as early; <see cref="long.MinValue"/>: no split.</summary>
    public long EarlyUntilTicks { get; set; } = long.MinValue;

    /// <summary>Records <paramref name="now"/> − <paramref name="dueTicks"/>, the latency from when the post was due.</summary>
    public void Record(long dueTicks, long now)
    {
        var ticks = now - dueTicks;
        All.RecordTicks(ticks);
        if (EarlyUntilTicks == long.MinValue)
        {
            return;
        }

        (dueTicks < EarlyUntilTicks ? Early : Late).RecordTicks(ticks);
    }

    /// <summary>The first seconds and the rest, or null without a split.</summary>
    public WindowedLatency? Windows() => EarlyUntilTicks == long.MinValue ? null : new(Early.Summary(), Late.Summary());
}
