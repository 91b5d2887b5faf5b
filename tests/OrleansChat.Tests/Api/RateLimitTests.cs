using System.Net;
using System.Net.Http.Json;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class TightRateLimitFixture() : EmbeddedApiFixture(new Dictionary<string, string?>
{
    ["Chat:RateLimit:PostsPerSecond"] = "1",
    ["Chat:RateLimit:Burst"] = "3",
});

public sealed class RateLimitTests(TightRateLimitFixture fixture) : IClassFixture<TightRateLimitFixture>
{
    [Fact]
    public async Task Posts_over_the_limit_get_429_with_retry_after_and_store_nothing()
    {
        var room = $"rl-{Guid.NewGuid():N}";
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            responses.Add(await fixture.Host.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = $"m{i}" }));
        }

        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(created, 3, 4);
        Assert.Equal(6 - created, limited.Count);
        foreach (var response in limited)
        {
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            await ValidationTests.AssertProblemAsync(response, 429);
        }

        Assert.Equal(created, (await fixture.Host.HistoryAsync(room)).LastSeq);
    }

    [Fact]
    public async Task Edits_and_deletes_share_the_posts_limit_and_get_429_over_it()
    {
        var room = $"rl-{Guid.NewGuid():N}";
        await Eventually.TrueAsync(
            async () => (await fixture.Host.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "m" })).IsSuccessStatusCode,
            "a post got through the limit");
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            responses.Add(await fixture.Host.Http.PatchAsJsonAsync($"/rooms/{room}/messages/1", new { userId = "ann", text = $"e{i}" }));
        }

        responses.Add(await fixture.Host.Http.DeleteAsync($"/rooms/{room}/messages/1?userId=ann"));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.Equal(1 + responses.Count(r => r.StatusCode == HttpStatusCode.OK), (await fixture.Host.HistoryAsync(room)).LastSeq);
        foreach (var response in limited)
        {
            await ValidationTests.AssertProblemAsync(response, 429);
        }
    }
}
