using System.Diagnostics;
using System.Numerics;

namespace OrleansChat.Bench;

/// <summary>
/// A lock-free log-linear histogram of durations in microseconds (HDR-like): exact below 1,024 µs, then 1,024
/// buckets per power of two (≤ 0.1 % relative error). Recording is one <see cref="Interlocked.Increment(ref long)"/>,
/// so every reader thread of the load generator can record without locks or per-sample allocations.
/// </summary>
internal sealed class Histogram
{
    private const int SubBuckets = 1024;
    private const int MaxShift = 40;
    private readonly long[] _counts = new long[SubBuckets * (MaxShift + 2)];
    private long _count;
    private long _max;

    public long Count => Volatile.Read(ref _count);

    public static long TicksToMicros(long stopwatchTicks) => stopwatchTicks * 1_000_000 / Stopwatch.Frequency;

    public void RecordTicks(long stopwatchTicks) => Record(TicksToMicros(stopwatchTicks));

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _count);
        long max;
        while (micros > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, max) != max)
        {
        }
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) in milliseconds, or null without samples.</summary>
    public double? PercentileMs(double q)
    {
        var count = Count;
        if (count == 0)
        {
            return null;
        }

        if (q >= 1)
        {
            return MaxMs;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Volatile.Read(ref _max)) / 1000.0;
            }
        }

        return MaxMs;
    }

    public double? MaxMs => Count == 0 ? null : Volatile.Read(ref _max) / 1000.0;

    public LatencySummary Summary() => new(Count, PercentileMs(0.5), PercentileMs(0.9), PercentileMs(0.99), MaxMs);

    private static int Index(long micros)
    {
        if (micros < SubBuckets)
        {
            return (int)micros;
        }

        var shift = Math.Min(63 - BitOperations.LeadingZeroCount((ulong)micros) - 10, MaxShift);
        var sub = Math.Min(micros >> shift, 2 * SubBuckets - 1);
        return (int)(SubBuckets * shift + sub);
    }

    /// <summary>The largest value that maps to bucket <paramref name="index"/>.</summary>
    private static long UpperBound(int index)
    {
        if (index < 2 * SubBuckets)
        {
            return index;
        }

        var shift = index / SubBuckets - 1;
        var sub = index - SubBuckets * shift;
        return ((sub + 1L) << shift) - 1;
    }
}
