using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class ShortHistoryFixture() : EmbeddedApiFixture(new Dictionary<string, string?>
{
    ["Chat:History:MaxMessages"] = "50",
});

public sealed class GapTests(ShortHistoryFixture fixture) : IClassFixture<ShortHistoryFixture>
{
    [Fact]
    public async Task A_resume_point_older_than_history_gets_one_gap_event_then_everything_retained()
    {
        var room = $"gap-{Guid.NewGuid():N}";
        for (var i = 1; i <= 60; i++)
        {
            await fixture.Host.PostAsync(room, "ann", $"m{i}");
        }

        await using var client = await fixture.Host.ConnectAsync(room, lastEventId: "3");
        var gap = await client.NextAsync();
        await client.WaitForSeqAsync(60);

        Assert.Equal("gap", gap.EventType);
        Assert.Equal($$"""{"roomId":"{{room}}","from":4,"to":10}""", gap.Data);
        Assert.Equal(Enumerable.Range(11, 50).Select(i => (long)i), client.ChatSeqs);
        var info = await fixture.Host.HistoryAsync(room, "?limit=1");
        Assert.Equal(11, info.FirstRetainedSeq);
    }

    [Fact]
    public async Task A_resume_point_just_below_first_retained_gets_no_gap()
    {
        var room = $"gap-{Guid.NewGuid():N}";
        for (var i = 1; i <= 55; i++)
        {
            await fixture.Host.PostAsync(room, "ann", $"m{i}");
        }

        await using var client = await fixture.Host.ConnectAsync(room, lastEventId: "5");
        var first = await client.NextAsync();

        Assert.Equal("chat", first.EventType);
        Assert.Equal(6, SseClient.SeqOf(first.EventId!));
    }
}
