using System.Net;
using System.Net.Http.Json;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>One silo and two API nodes in client mode, all on loopback.</summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    internal SiloHost Silo { get; private set; } = null!;

    internal ApiHost NodeA { get; private set; } = null!;

    internal ApiHost NodeB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SiloHost.StartAsync();
        NodeA = await ApiHost.StartAsync(Silo.ClientSettings);
        NodeB = await ApiHost.StartAsync(Silo.ClientSettings);
    }

    public async Task DisposeAsync()
    {
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
        await Silo.DisposeAsync();
    }
}

public sealed class MultiNodeTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static string NewRoom() => $"multi-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_client_of_one_node_receives_what_is_posted_on_the_other()
    {
        var room = NewRoom();
        await using var onB = await nodes.NodeB.ConnectAsync(room);

        for (var i = 1; i <= 5; i++)
        {
            await nodes.NodeA.PostAsync(room, "ann", $"m{i}");
        }

        await onB.WaitForSeqAsync(5);
        Assert.Equal([1, 2, 3, 4, 5], onB.ChatSeqs);
    }

    [Fact]
    public async Task A_client_resumes_on_the_other_node_with_nothing_missed_or_repeated()
    {
        var room = NewRoom();
        await using (var onA = await nodes.NodeA.ConnectAsync(room))
        {
            for (var i = 1; i <= 4; i++)
            {
                await nodes.NodeA.PostAsync(room, "ann", $"m{i}");
            }

            await onA.WaitForSeqAsync(4);
            Assert.Equal([1, 2, 3, 4], onA.ChatSeqs);
        }

        // Posted while the client is away, on both nodes.
        await nodes.NodeA.PostAsync(room, "ann", "m5");
        await nodes.NodeB.PostAsync(room, "bob", "m6");

        await using var onB = await nodes.NodeB.ConnectAsync(room, lastEventId: "4");
        await nodes.NodeA.PostAsync(room, "ann", "m7");
        await onB.WaitForSeqAsync(7);
        Assert.Equal([5, 6, 7], onB.ChatSeqs);
    }

    [Fact]
    public async Task An_idempotent_retry_on_the_other_node_returns_the_original_and_both_answers_name_its_log()
    {
        var room = NewRoom();
        var first = await nodes.NodeA.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "once", clientMessageId = "c-1" });
        var retry = await nodes.NodeB.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "once", clientMessageId = "c-1" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("/rooms/" + room + "/messages/1", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(await first.Content.ReadFromJsonAsync<ChatMessage>(), await retry.Content.ReadFromJsonAsync<ChatMessage>());
        Assert.Equal(1, (await nodes.NodeB.HistoryAsync(room)).LastSeq);
        // A client that shows the message from this answer, before its event arrives, resumes from the right log.
        var epoch = await nodes.NodeA.EpochAsync(room);
        Assert.NotNull(epoch);
        Assert.Equal([epoch], first.Headers.GetValues("Chat-Epoch"));
        Assert.Equal([epoch], retry.Headers.GetValues("Chat-Epoch"));
    }
}

public sealed class ClusterLossTests
{
    [Fact]
    public async Task With_the_cluster_gone_posts_get_503_with_retry_after_and_readiness_fails()
    {
        var silo = await SiloHost.StartAsync();
        await using var api = await ApiHost.StartAsync(silo.ClientSettings);
        var room = $"loss-{Guid.NewGuid():N}";
        await api.PostAsync(room, "ann", "before");

        await silo.DisposeAsync();

        var started = DateTime.UtcNow;
        var response = await api.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "after" });
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the post answered promptly");
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        await ValidationTests.AssertProblemAsync(response, 503);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.Http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/healthz")).StatusCode);
    }
}
