using System.Diagnostics;

namespace OrleansChat.Bench;

internal static class Poll
{
    /// <summary>Checks <paramref name="done"/> every 20 ms until it holds or <paramref name="timeoutSeconds"/> pass.</summary>
    public static async Task UntilAsync(Func<bool> done, double timeoutSeconds, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeoutSeconds * Stopwatch.Frequency);
        while (!done() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>
    /// Checks <paramref name="done"/> every 20 ms until it holds or <paramref name="progress"/> has not moved for
    /// <paramref name="stallSeconds"/>: a server that is still delivering, however late, is waited for.
    /// </summary>
    public static async Task UntilStalledAsync(Func<bool> done, Func<long> progress, double stallSeconds, CancellationToken cancellationToken)
    {
        var stall = (long)(stallSeconds * Stopwatch.Frequency);
        var seen = progress();
        var movedAt = Stopwatch.GetTimestamp();
        while (!done())
        {
            var now = Stopwatch.GetTimestamp();
            if (progress() is var current && current != seen)
            {
                (seen, movedAt) = (current, now);
            }
            else if (now - movedAt >= stall)
            {
                return;
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}
