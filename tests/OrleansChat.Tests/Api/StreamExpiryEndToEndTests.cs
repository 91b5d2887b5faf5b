using System.Net;
using System.Text.Json;
using OrleansChat.Tests.Auth;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class StreamExpiryEndToEndTests(JwtApiFixture fixture) : IClassFixture<JwtApiFixture>
{
    [Fact]
    public async Task At_exp_the_stream_says_expired_and_ends_and_a_reconnect_with_a_fresh_token_and_the_last_id_misses_nothing()
    {
        var room = AuthRequests.NewRoom("expiry");
        // The host's first requests pay for JIT and grain activation (seconds on a loaded machine): paid before the
        // short token's clock starts, so the stream opens and takes its messages well before exp.
        await PostAsync(AuthRequests.NewRoom("expiry-warm-up"), "warm-up");
        // A JWT's exp is whole seconds: at least four from now.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        var expiring = Tokens.Mint("ann", expires: expiresAt);

        await using var first = await SseClient.ConnectAsync(fixture.Host.BaseAddress, $"/rooms/{room}/events?access_token={expiring}");
        Assert.Equal(HttpStatusCode.OK, first.Response.StatusCode);
        for (var i = 1; i <= 3; i++)
        {
            await PostAsync(room, $"before {i}");
        }

        await first.WaitForSeqAsync(3);
        var expired = await NextNonChatAsync(first);
        var receivedAt = DateTimeOffset.UtcNow;
        Assert.Equal("expired", expired.EventType);
        Assert.True(string.IsNullOrEmpty(expired.EventId), "expired carries no id, so the resume point stays the last chat's");
        using (var data = JsonDocument.Parse(expired.Data))
        {
            Assert.Equal(room, data.RootElement.GetProperty("roomId").GetString());
            Assert.Equal("token expired", data.RootElement.GetProperty("reason").GetString());
        }

        // At exp, not before it, and not 30 s later (the validator's clock skew does not extend an open stream).
        Assert.InRange(receivedAt, expiresAt, expiresAt.AddSeconds(5));
        await first.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        // Posted while the client fetches a fresh token.
        await PostAsync(room, "while away 4");
        await PostAsync(room, "while away 5");

        var lastId = first.ChatSeqs[^1].ToString();
        await using var second = await SseClient.ConnectAsync(
            fixture.Host.BaseAddress, $"/rooms/{room}/events?access_token={Tokens.Mint("ann")}", lastEventId: lastId);
        Assert.Equal(HttpStatusCode.OK, second.Response.StatusCode);
        await PostAsync(room, "live 6");
        await second.WaitForSeqAsync(6);

        Assert.Equal([1, 2, 3], first.ChatSeqs);
        Assert.Equal([4, 5, 6], second.ChatSeqs);
    }

    private static async Task<System.Net.ServerSentEvents.SseItem<string>> NextNonChatAsync(SseClient client)
    {
        while (true)
        {
            var item = await client.NextAsync(TimeSpan.FromSeconds(15));
            if (item.EventType != "chat")
            {
                return item;
            }
        }
    }

    private async Task PostAsync(string room, string text)
    {
        using var response = await AuthRequests.PostAsync(fixture.Host, room, new { text }, Tokens.Mint("bob"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
