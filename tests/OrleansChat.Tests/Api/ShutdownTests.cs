using System.Diagnostics;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Graceful_shutdown_ends_open_streams_cleanly_and_promptly()
    {
        var api = await ApiHost.StartAsync();
        var room = $"stop-{Guid.NewGuid():N}";
        var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => api.ConnectAsync(room)));
        await api.PostAsync(room, "ann", "last words");
        foreach (var client in clients)
        {
            await client.WaitForSeqAsync(1);
        }

        var stopwatch = Stopwatch.StartNew();
        await api.StopAsync();

        foreach (var client in clients)
        {
            // Completes without an exception: the response ended normally rather than being cut.
            await client.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal([1], client.ChatSeqs);
            await client.DisposeAsync();
        }

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {stopwatch.Elapsed}");
        await api.DisposeAsync();
    }
}
