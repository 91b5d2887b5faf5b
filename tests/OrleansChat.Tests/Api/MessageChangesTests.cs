using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OrleansChat.Tests.Auth;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>
/// <c>PATCH</c> and <c>DELETE /rooms/{roomId}/messages/{seq}</c> in Development mode without a token: the body's userId
/// (the query's for DELETE) is the actor. Every answer of docs/api.md, and that a refused change changes nothing.
/// </summary>
public sealed class MessageChangesTests(EmbeddedApiFixture fixture) : IClassFixture<EmbeddedApiFixture>
{
    private ApiHost Api => fixture.Host;

    private static string NewRoom() => $"changes-{Guid.NewGuid():N}";

    [Fact]
    public async Task An_edit_by_the_author_answers_200_as_the_message_now_stands_and_is_the_next_event()
    {
        var room = NewRoom();
        var posted = await Api.PostAsync(room, "ann", "helo", "c1");

        var response = await PatchAsync(room, 1, new { userId = "ann", text = "hello" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var edited = (await response.Content.ReadFromJsonAsync<ChatMessage>())!;
        Assert.Equal(posted with { Text = "hello", EditedAt = edited.EditedAt }, edited);
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(edited, await Api.Http.GetFromJsonAsync<ChatMessage>($"/rooms/{room}/messages/1"));
        var page = await Api.HistoryAsync(room);
        Assert.Equal(2, page.LastSeq);
        Assert.Equal([edited], page.Messages);
    }

    [Fact]
    public async Task A_delete_by_the_author_answers_the_tombstone_and_again_the_same_tombstone_with_no_new_event()
    {
        var room = NewRoom();
        var posted = await Api.PostAsync(room, "ann", "oops", "c1");

        var first = await Api.Http.DeleteAsync($"/rooms/{room}/messages/1?userId=ann");
        var second = await Api.Http.DeleteAsync($"/rooms/{room}/messages/1?userId=ann");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var json = await first.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"text\"", json);
        Assert.DoesNotContain("oops", json);
        Assert.Contains("\"deleted\":true", json);
        Assert.Contains("\"deletedBy\":\"ann\"", json);
        Assert.Contains("\"deletedAt\":", json);
        Assert.Equal(json, await second.Content.ReadAsStringAsync());
        var tombstone = (await first.Content.ReadFromJsonAsync<ChatMessage>())!;
        Assert.Equal((posted.Seq, posted.UserId, posted.CreatedAt), (tombstone.Seq, tombstone.UserId, tombstone.CreatedAt));
        Assert.Equal(2, (await Api.HistoryAsync(room)).LastSeq);
        Assert.Equal(tombstone, await Api.Http.GetFromJsonAsync<ChatMessage>($"/rooms/{room}/messages/1"));
    }

    [Fact]
    public async Task Someone_else_gets_403_and_nothing_changes()
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "mine");

        await ValidationTests.AssertProblemAsync(await PatchAsync(room, 1, new { userId = "bob", text = "yours" }), 403);
        // Without a token nobody is a moderator, whatever they say.
        await ValidationTests.AssertProblemAsync(await Api.Http.DeleteAsync($"/rooms/{room}/messages/1?userId=bob"), 403);

        var page = await Api.HistoryAsync(room);
        Assert.Equal(1, page.LastSeq);
        Assert.Equal("mine", page.Messages[0].Text);
    }

    [Fact]
    public async Task No_such_message_or_a_tombstone_to_edit_gets_404()
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "soon gone");
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.DeleteAsync($"/rooms/{room}/messages/1?userId=ann")).StatusCode);

        await ValidationTests.AssertProblemAsync(await PatchAsync(room, 1, new { userId = "ann", text = "back" }), 404);
        await ValidationTests.AssertProblemAsync(await PatchAsync(room, 9, new { userId = "ann", text = "none" }), 404);
        await ValidationTests.AssertProblemAsync(await Api.Http.DeleteAsync($"/rooms/{room}/messages/9?userId=ann"), 404);
        // The seq of an edit or delete event names no message.
        await ValidationTests.AssertProblemAsync(await Api.Http.DeleteAsync($"/rooms/{room}/messages/2?userId=ann"), 404);
        Assert.Equal(2, (await Api.HistoryAsync(room)).LastSeq);
    }

    [Theory]
    [InlineData("{\"userId\":\"ann\",\"text\":\"\"}")]
    [InlineData("{\"userId\":\"ann\",\"text\":\"   \"}")]
    [InlineData("{\"userId\":\"ann\"}")]
    [InlineData("{\"text\":\"no actor\"}")]
    [InlineData("{\"userId\":\"ann\",\"text\":\"a\\u0000b\"}")]
    [InlineData("{\"userId\":\"ann\",")]
    [InlineData("[1]")]
    [InlineData("null")]
    public async Task A_bad_edit_body_gets_400(string json)
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "original");
        using var content = new StringContent(json, new MediaTypeHeaderValue("application/json"));

        await ValidationTests.AssertProblemAsync(await Api.Http.PatchAsync($"/rooms/{room}/messages/1", content), 400);
        Assert.Equal("original", (await Api.HistoryAsync(room)).Messages[0].Text);
    }

    [Theory]
    [InlineData("PATCH", "bad room!", "1")]
    [InlineData("PATCH", "r", "0")]
    [InlineData("PATCH", "r", "x")]
    [InlineData("DELETE", "bad room!", "1")]
    [InlineData("DELETE", "r", "-1")]
    [InlineData("DELETE", "r", "1")]
    public async Task A_bad_room_seq_or_missing_actor_gets_400(string method, string room, string seq)
    {
        // The last case: DELETE without a token and without ?userId= has no actor.
        var query = method == "DELETE" && room == "r" && seq == "1" ? "" : "?userId=ann";
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/rooms/{Uri.EscapeDataString(room)}/messages/{seq}{query}")
        {
            Content = method == "PATCH" ? JsonContent.Create(new { userId = "ann", text = "t" }) : null,
        };

        await ValidationTests.AssertProblemAsync(await Api.Http.SendAsync(request), 400);
    }

    [Fact]
    public async Task An_edit_that_is_not_json_gets_415_and_one_over_64_KiB_gets_413()
    {
        var room = NewRoom();
        await Api.PostAsync(room, "ann", "original");
        using var plain = new StringContent("{\"userId\":\"ann\",\"text\":\"t\"}", new MediaTypeHeaderValue("text/plain"));
        using var large = new StreamContent(new MemoryStream(new byte[100_000]));
        large.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        large.Headers.ContentLength = 100_000;

        await ValidationTests.AssertProblemAsync(await Api.Http.PatchAsync($"/rooms/{room}/messages/1", plain), 415);
        await ValidationTests.AssertProblemAsync(await Api.Http.PatchAsync($"/rooms/{room}/messages/1", large), 413);
        Assert.Equal(1, (await Api.HistoryAsync(room)).LastSeq);
    }

    private Task<HttpResponseMessage> PatchAsync(string room, long seq, object body) =>
        Api.Http.PatchAsJsonAsync($"/rooms/{room}/messages/{seq}", body);
}

/// <summary>The same endpoints with tokens: chat_write changes one's own messages, chat_moderate deletes anyone's.</summary>
public sealed class MessageChangeRightsTests(JwtApiFixture fixture) : IClassFixture<JwtApiFixture>
{
    private ApiHost Api => fixture.Host;

    [Fact]
    public async Task Without_a_token_a_change_gets_401_and_with_a_bad_one_401_invalid_token()
    {
        var room = await RoomWithMessageAsync("ann");

        await AuthRequests.AssertUnauthorizedAsync(await EditAsync(room, token: null), tokenSent: false);
        await AuthRequests.AssertUnauthorizedAsync(await DeleteAsync(room, token: null), tokenSent: false);
        await AuthRequests.AssertUnauthorizedAsync(await DeleteAsync(room, token: "not.a.jwt"), tokenSent: true);
    }

    [Fact]
    public async Task The_author_with_chat_write_edits_and_deletes_others_get_403()
    {
        var room = await RoomWithMessageAsync("ann");
        var bob = Tokens.Mint("bob");
        var annReadOnly = Tokens.Mint("ann", new Dictionary<string, object> { ["chat_read"] = "*" });

        await AuthRequests.AssertForbiddenAsync(await EditAsync(room, bob));
        await AuthRequests.AssertForbiddenAsync(await DeleteAsync(room, bob));
        await AuthRequests.AssertForbiddenAsync(await EditAsync(room, annReadOnly));
        await AuthRequests.AssertForbiddenAsync(await DeleteAsync(room, annReadOnly));
        // A body userId other than the token's subject.
        await AuthRequests.AssertForbiddenAsync(await AuthRequests.SendAsync(
            Api, HttpMethod.Patch, $"/rooms/{room}/messages/1", Tokens.Mint("ann"), JsonContent.Create(new { userId = "bob", text = "t" })));
        Assert.Equal(1, (await AuthRequests.HistoryAsync(Api, room)).LastSeq);

        Assert.Equal(HttpStatusCode.OK, (await EditAsync(room, Tokens.Mint("ann"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(room, Tokens.Mint("ann", new Dictionary<string, object> { ["chat_write"] = room }))).StatusCode);
        Assert.Equal(3, (await AuthRequests.HistoryAsync(Api, room)).LastSeq);
    }

    [Fact]
    public async Task A_moderator_of_the_room_deletes_anyones_message_but_edits_none()
    {
        var room = await RoomWithMessageAsync("ann");
        var moderator = Tokens.Mint("mod", new Dictionary<string, object> { ["chat_moderate"] = room });
        var elsewhere = Tokens.Mint("mod2", new Dictionary<string, object> { ["chat_write"] = "*", ["chat_moderate"] = "other-*" });

        await AuthRequests.AssertForbiddenAsync(await EditAsync(room, moderator));
        await AuthRequests.AssertForbiddenAsync(await DeleteAsync(room, elsewhere));
        var deleted = await DeleteAsync(room, moderator);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var tombstone = (await deleted.Content.ReadFromJsonAsync<ChatMessage>())!;
        Assert.Equal(("ann", "mod", null), (tombstone.UserId, tombstone.DeletedBy, tombstone.Text));
    }

    private async Task<string> RoomWithMessageAsync(string author)
    {
        var room = AuthRequests.NewRoom("rights");
        var posted = await AuthRequests.PostAsync(Api, room, new { text = "by the author" }, Tokens.Mint(author));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        return room;
    }

    private Task<HttpResponseMessage> EditAsync(string room, string? token) =>
        AuthRequests.SendAsync(Api, HttpMethod.Patch, $"/rooms/{room}/messages/1", token, JsonContent.Create(new { text = "changed" }));

    private Task<HttpResponseMessage> DeleteAsync(string room, string? token) =>
        AuthRequests.SendAsync(Api, HttpMethod.Delete, $"/rooms/{room}/messages/1", token);
}
