using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

public sealed class ValidationTests(EmbeddedApiFixture fixture) : IClassFixture<EmbeddedApiFixture>
{
    private ApiHost Api => fixture.Host;

    public static TheoryData<string, string, int> BadPosts => new()
    {
        { "malformed JSON", "{\"userId\":\"ann\",", 400 },
        { "not an object", "[1,2]", 400 },
        { "null body", "null", 400 },
        { "empty body", "", 400 },
        { "wrong type", "{\"userId\":5,\"text\":\"hi\"}", 400 },
        { "missing userId", "{\"text\":\"hi\"}", 400 },
        { "empty userId", "{\"userId\":\"\",\"text\":\"hi\"}", 400 },
        { "long userId", $"{{\"userId\":\"{new string('u', 65)}\",\"text\":\"hi\"}}", 400 },
        { "control char in userId", "{\"userId\":\"an\\u0007n\",\"text\":\"hi\"}", 400 },
        { "missing text", "{\"userId\":\"ann\"}", 400 },
        { "empty text", "{\"userId\":\"ann\",\"text\":\"\"}", 400 },
        { "whitespace text", "{\"userId\":\"ann\",\"text\":\" \\t\\n \"}", 400 },
        { "long text", $"{{\"userId\":\"ann\",\"text\":\"{new string('t', 4001)}\"}}", 400 },
        { "NUL in text", "{\"userId\":\"ann\",\"text\":\"a\\u0000b\"}", 400 },
        { "long clientMessageId", $"{{\"userId\":\"ann\",\"text\":\"hi\",\"clientMessageId\":\"{new string('c', 65)}\"}}", 400 },
        { "empty clientMessageId", "{\"userId\":\"ann\",\"text\":\"hi\",\"clientMessageId\":\"\"}", 400 },
        { "invalid UTF-8", "{\"userId\":\"ann\",\"text\":\"\xff\"}", 400 },
        { "body over 64 KiB", $"{{\"userId\":\"ann\",\"text\":\"hi\",\"pad\":\"{new string('p', 70_000)}\"}}", 413 },
    };

    [Theory]
    [MemberData(nameof(BadPosts))]
    public async Task A_bad_post_gets_its_status_and_problem_json_and_stores_nothing(string why, string body, int status)
    {
        var room = NewRoom();
        using var content = new ByteArrayContent(why == "invalid UTF-8" ? Latin1(body) : Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await Api.Http.PostAsync($"/rooms/{room}/messages", content);

        await AssertProblemAsync(response, status);
        await AssertRoomUntouchedAsync(room);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task A_post_that_is_not_json_gets_415(string? contentType)
    {
        var room = NewRoom();
        using var content = new StringContent("{\"userId\":\"ann\",\"text\":\"hi\"}");
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        var response = await Api.Http.PostAsync($"/rooms/{room}/messages", content);

        await AssertProblemAsync(response, 415);
        await AssertRoomUntouchedAsync(room);
    }

    [Fact]
    public async Task A_body_declared_larger_than_64_KiB_is_refused_before_it_is_read()
    {
        var room = NewRoom();
        using var content = new StreamContent(new MemoryStream(new byte[100_000]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = 100_000;

        await AssertProblemAsync(await Api.Http.PostAsync($"/rooms/{room}/messages", content), 413);
        await AssertRoomUntouchedAsync(room);
    }

    [Fact]
    public async Task A_valid_post_at_the_limits_is_accepted()
    {
        var room = NewRoom();
        var text = new string('t', 3998) + "😀";
        var message = await Api.PostAsync(room, new string('u', 64), text, new string('c', 64));

        Assert.Equal(1, message.Seq);
        Assert.Equal(text, message.Text);
    }

    [Theory]
    [InlineData("-lobby")]
    [InlineData(".lobby")]
    [InlineData("lob%20by")]
    [InlineData("lob%C3%A9by")]
    [InlineData("lobby%0A")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_bad_room_id_gets_400_on_every_endpoint(string roomId)
    {
        using var body = new StringContent("{\"userId\":\"ann\",\"text\":\"hi\"}", Encoding.UTF8, "application/json");
        await AssertProblemAsync(await Api.Http.PostAsync($"/rooms/{roomId}/messages", body), 400);
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{roomId}/messages"), 400);
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{roomId}"), 400);
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{roomId}/events"), 400);
    }

    [Theory]
    [InlineData("?after=-1")]
    [InlineData("?after=abc")]
    [InlineData("?after=")]
    [InlineData("?before=1.5")]
    [InlineData("?before=99999999999999999999")]
    [InlineData("?limit=0")]
    [InlineData("?limit=501")]
    [InlineData("?limit=+5")]
    [InlineData("?after=1&after=2")]
    public async Task A_bad_history_query_gets_400(string query)
    {
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{NewRoom()}/messages{query}"), 400);
    }

    [Theory]
    [InlineData("abc", "")]
    [InlineData("-1", "")]
    [InlineData("1.0", "")]
    [InlineData(null, "?lastEventId=x")]
    [InlineData(null, "?lastEventId=-5")]
    public async Task A_bad_resume_point_gets_400_and_no_stream(string? header, string query)
    {
        await using var client = await Api.ConnectAsync(NewRoom(), header, query);
        await AssertProblemAsync(client.Response, 400);
    }

    [Fact]
    public async Task The_location_of_a_created_message_serves_it_and_other_seqs_get_404_or_400()
    {
        var room = NewRoom();
        var created = await Api.Http.PostAsJsonAsync($"/rooms/{room}/messages", new { userId = "ann", text = "findable" });
        var location = created.Headers.Location!.OriginalString;

        Assert.Equal($"/rooms/{room}/messages/1", location);
        var message = await Api.Http.GetFromJsonAsync<ChatMessage>(location);
        Assert.Equal("findable", message!.Text);
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{room}/messages/2"), 404);
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{room}/messages/0"), 400);
        await AssertProblemAsync(await Api.Http.GetAsync($"/rooms/{room}/messages/x"), 400);
    }

    [Fact]
    public async Task Unknown_paths_get_problem_json()
    {
        await AssertProblemAsync(await Api.Http.GetAsync("/nope"), 404);
    }

    [Fact]
    public async Task Health_and_readiness_answer_200_while_the_cluster_is_up()
    {
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.Http.GetAsync("/readyz")).StatusCode);
    }

    private static string NewRoom() => $"bad-{Guid.NewGuid():N}";

    private static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);

    internal static async Task AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("title").GetString()));
        if (status != 404)
        {
            Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
        }
    }

    private async Task AssertRoomUntouchedAsync(string room)
    {
        var page = await Api.HistoryAsync(room);
        Assert.Equal(0, page.LastSeq);
        Assert.Empty(page.Messages);
    }
}
