using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Api;

/// <summary>The OpenAPI document every node serves at <c>/openapi/v1.json</c>, as a client generator would read it.</summary>
public sealed class OpenApiTests(EmbeddedApiFixture fixture) : IClassFixture<EmbeddedApiFixture>
{
    private const string Problem = "application/problem+json";
    private const string Json = "application/json";

    private ApiHost Api => fixture.Host;

    public static TheoryData<string, string, string[]> RoomOperations => new()
    {
        { "get", "/rooms/{roomId}", ["200 application/json", "400 " + Problem, "503 " + Problem] },
        { "get", "/rooms/{roomId}/messages", ["200 application/json", "400 " + Problem, "503 " + Problem] },
        {
            "post", "/rooms/{roomId}/messages",
            ["200 application/json", "201 application/json", "400 " + Problem, "413 " + Problem, "415 " + Problem, "429 " + Problem, "503 " + Problem]
        },
        { "get", "/rooms/{roomId}/messages/{seq}", ["200 application/json", "400 " + Problem, "404 " + Problem, "503 " + Problem] },
        {
            "patch", "/rooms/{roomId}/messages/{seq}",
            ["200 application/json", "400 " + Problem, "403 " + Problem, "404 " + Problem, "413 " + Problem, "415 " + Problem, "429 " + Problem, "503 " + Problem]
        },
        {
            "delete", "/rooms/{roomId}/messages/{seq}",
            ["200 application/json", "400 " + Problem, "403 " + Problem, "404 " + Problem, "429 " + Problem, "503 " + Problem]
        },
        { "get", "/rooms/{roomId}/events", ["200 text/event-stream", "400 " + Problem, "503 " + Problem] },
    };

    [Fact]
    public async Task The_document_is_OpenAPI_3_json_served_to_anyone()
    {
        var response = await Api.Http.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.False(string.IsNullOrWhiteSpace(document.RootElement.GetProperty("info").GetProperty("title").GetString()));
    }

    [Theory]
    [MemberData(nameof(RoomOperations))]
    public async Task Each_room_operation_declares_its_responses_and_media_types(string method, string path, string[] expected)
    {
        using var document = await ReadDocumentAsync();
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()));
        var declared = operation.GetProperty("responses").EnumerateObject()
            .SelectMany(response => response.Value.GetProperty("content").EnumerateObject().Select(content => $"{response.Name} {content.Name}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected.Order(StringComparer.Ordinal), declared);
    }

    [Fact]
    public async Task Every_mapped_room_endpoint_is_in_the_document_and_nothing_else()
    {
        var mapped = Api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/rooms", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => endpoint.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods
                .Select(verb => $"{verb.ToLowerInvariant()} {endpoint.RoutePattern.RawText!.TrimEnd('/')}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        using var document = await ReadDocumentAsync();
        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name} {path.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.NotEmpty(mapped);
        Assert.Equal(mapped, documented);
    }

    [Fact]
    public async Task The_event_stream_declares_both_resume_points_and_the_post_its_body_and_headers()
    {
        using var document = await ReadDocumentAsync();
        var paths = document.RootElement.GetProperty("paths");

        var events = paths.GetProperty("/rooms/{roomId}/events").GetProperty("get");
        var parameters = events.GetProperty("parameters").EnumerateArray()
            .Select(p => $"{p.GetProperty("in").GetString()} {p.GetProperty("name").GetString()}");
        Assert.Equal(["path roomId", "header Last-Event-ID", "query lastEventId", "query presence"], parameters);
        var roomId = events.GetProperty("parameters")[0].GetProperty("schema");
        Assert.Equal("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", roomId.GetProperty("pattern").GetString());

        var post = paths.GetProperty("/rooms/{roomId}/messages").GetProperty("post");
        var body = post.GetProperty("requestBody").GetProperty("content").GetProperty(Json).GetProperty("schema");
        var bodySchema = Resolve(document, body);
        Assert.Equal(["text", "userId"], bodySchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(4000, bodySchema.GetProperty("properties").GetProperty("text").GetProperty("maxLength").GetInt32());

        var responses = post.GetProperty("responses");
        Assert.True(responses.GetProperty("201").GetProperty("headers").TryGetProperty("Location", out _));
        Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    [Fact]
    public async Task A_message_schema_says_what_the_wire_carries()
    {
        using var document = await ReadDocumentAsync();
        var message = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ChatMessage");
        var properties = message.GetProperty("properties");

        Assert.Equal("integer", properties.GetProperty("seq").GetProperty("type").GetString());
        Assert.Equal("string", properties.GetProperty("createdAt").GetProperty("type").GetString());
        Assert.Equal("date-time", properties.GetProperty("createdAt").GetProperty("format").GetString());
        // Left out of the JSON when the post had none.
        Assert.DoesNotContain("clientMessageId", message.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task<JsonDocument> ReadDocumentAsync() =>
        JsonDocument.Parse(await Api.Http.GetStringAsync("/openapi/v1.json"));

    private static JsonElement Resolve(JsonDocument document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;
}
