using System.Net;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class TightAnonymousStreamCapFixture() : EmbeddedApiFixture(new Dictionary<string, string?>
{
    ["Chat:Sse:MaxAnonymousStreamsPerAddress"] = "2",
});

public sealed class AnonymousStreamCapTests(TightAnonymousStreamCapFixture fixture) : IClassFixture<TightAnonymousStreamCapFixture>
{
    [Fact]
    public async Task Anonymous_streams_over_the_per_address_cap_get_429_with_retry_after_while_other_addresses_still_open()
    {
        var room = $"anon-{Guid.NewGuid():N}";
        // The test's loopback connection is a trusted proxy, so X-Forwarded-For names the client address.
        using var first = await OpenAsync(room, "203.0.113.5");
        using var second = await OpenAsync(room, "203.0.113.5");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using (var third = await OpenAsync(room, "203.0.113.5"))
        {
            Assert.Equal(TimeSpan.FromSeconds(5), third.Headers.RetryAfter?.Delta);
            await ValidationTests.AssertProblemAsync(third, 429);
        }

        using (var otherAddress = await OpenAsync(room, "203.0.113.6"))
        {
            Assert.Equal(HttpStatusCode.OK, otherAddress.StatusCode);
        }

        // Closing a stream gives its place back as soon as the node sees the client leave.
        first.Dispose();
        await Eventually.TrueAsync(async () =>
        {
            using var again = await OpenAsync(room, "203.0.113.5");
            return again.StatusCode == HttpStatusCode.OK;
        }, "a closed stream's place is free again");
    }

    private async Task<HttpResponseMessage> OpenAsync(string room, string clientAddress)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/rooms/{room}/events");
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return await fixture.Host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
