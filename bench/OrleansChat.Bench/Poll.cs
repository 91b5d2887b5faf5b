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
}
