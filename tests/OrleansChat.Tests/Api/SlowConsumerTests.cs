using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Api.Sse;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class SlowConsumerTests
{
    [Fact]
    public async Task A_client_that_stops_reading_is_disconnected_while_a_fast_one_gets_everything_in_order()
    {
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string?>
        {
            ["Chat:Sse:ConnectionBufferMessages"] = "32",
        });
        var connections = api.Services.GetRequiredService<SseConnections>();
        var room = $"slow-{Guid.NewGuid():N}";
        await using var slow = await SseClient.ConnectAsync(api.BaseAddress, $"/rooms/{room}/events", startReading: false, receiveBufferBytes: 4096);
        await using var fast = await api.ConnectAsync(room);
        await Eventually.TrueAsync(() => connections.Count == 2, "both clients are connected");

        // Big messages fill the slow client's socket buffers quickly; posting in steps the fast client has
        // caught up with keeps it far from its own buffer limit however loaded the machine is.
        var text = new string('x', 3900);
        var posted = 0L;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (connections.Count == 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the slow client was not disconnected after {posted} messages");
            for (var i = 0; i < 8; i++)
            {
                posted = (await api.PostAsync(room, "ann", text)).Seq;
            }

            await fast.WaitForSeqAsync(posted);
        }

        for (var i = 0; i < 5; i++)
        {
            posted = (await api.PostAsync(room, "ann", "after the slow one left")).Seq;
        }

        await fast.WaitForSeqAsync(posted);
        Assert.Equal(Enumerable.Range(1, (int)posted).Select(i => (long)i), fast.ChatSeqs);

        // The slow client finds its stream cut short once it reads what its buffers hold.
        slow.StartReading();
        await Assert.ThrowsAnyAsync<Exception>(() => slow.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(slow.ChatSeqs.Count < posted, $"the slow client got {slow.ChatSeqs.Count} of {posted}");
        Assert.Equal(Enumerable.Range(1, slow.ChatSeqs.Count).Select(i => (long)i), slow.ChatSeqs);
    }
}
