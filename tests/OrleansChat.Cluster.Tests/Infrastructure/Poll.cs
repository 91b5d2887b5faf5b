namespace OrleansChat.Cluster.Tests.Infrastructure;

internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
