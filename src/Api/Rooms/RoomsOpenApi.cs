using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// What the OpenAPI generator cannot learn from the room handlers' signatures: they read the numbers, the resume
/// point and the post body as raw text, to answer bad ones with their own problem details, and some headers are
/// written outside them (rate limiter, outage handler).
/// </summary>
internal static class RoomsOpenApi
{
    private const string ResumePoint = "Resume after this event id ({seq}-{epoch}, or a bare seq, taken to be of the room's current log): "
        + "replay every retained event above it, then continue live; an id of another epoch gets a reset. "
        + "Without a resume point the stream carries only events after it opened.";

    private static readonly (string Name, string Description, JsonSchemaType Type) StoredInEpoch = (RoomsApi.EpochHeader,
        "The epoch of the log that holds the message: a client that shows the message before its event reaches the client's stream resumes from that log.",
        JsonSchemaType.String);

    private static readonly OpenApiSchema EventId = new() { Type = JsonSchemaType.String, Pattern = "^[0-9]+(-[A-Za-z0-9]{1,16})?$" };

    // The numbers in a room's URLs, parsed by RoomRequest.
    private static readonly Dictionary<string, (string Description, long Minimum, long? Maximum)> Numbers = new(StringComparer.Ordinal)
    {
        ["seq"] = ("The message's seq.", 1, null),
        ["after"] = ("Return the oldest messages with a seq above this one.", 0, null),
        ["before"] = ("Return the newest messages with a seq below this one (scroll-back).", 0, null),
        ["limit"] = ($"Messages per page (default {ChatLimits.DefaultPageSize}).", 1, ChatLimits.MaxPageSize),
    };

    /// <summary>For every room operation: its parameters' rules and its responses' headers.</summary>
    public static Task DescribeRoomOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name == "roomId")
            {
                parameter.Description = "1–64 characters of A–Z, a–z, 0–9, '_', '.', '-', starting with a letter or digit. Rooms exist implicitly.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" };
            }
            else if (Numbers.TryGetValue(parameter.Name ?? "", out var number))
            {
                parameter.Description = number.Description;
                parameter.Schema = Seq(number.Minimum, number.Maximum);
            }
        }

        var posts = operation.OperationId == nameof(RoomsApi.PostMessage);
        foreach (var (status, response) in operation.Responses ?? [])
        {
            (string Name, string Description, JsonSchemaType Type)[] headers = status switch
            {
                "201" => [("Location", "Where the stored message can be read: /rooms/{roomId}/messages/{seq}.", JsonSchemaType.String), StoredInEpoch],
                "200" when posts => [StoredInEpoch],
                "429" or "503" => [("Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer)],
                _ => [],
            };
            foreach (var (name, description, type) in headers)
            {
                if (response is OpenApiResponse writable)
                {
                    writable.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    writable.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// For <c>POST /rooms/{roomId}/messages</c>. Declared here rather than with <c>Accepts</c>, whose content-type
    /// matching would answer a non-JSON body with a bare 415 before the handler could say why.
    /// </summary>
    public static Task DeclarePostBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var body = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "userId", "text" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["userId"] = Text(ChatLimits.MaxUserIdLength, "no control characters."),
                ["text"] = Text(ChatLimits.MaxTextLength, "not only whitespace, no NUL."),
                ["clientMessageId"] = Text(ChatLimits.MaxClientMessageIdLength,
                    "no control characters. A retry with the same value (same user) while the original is retained returns the original."),
            },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
        };
        return Task.CompletedTask;
    }

    /// <summary>For <c>PATCH /rooms/{roomId}/messages/{seq}</c>, declared here for the reason given at <see cref="DeclarePostBody"/>.</summary>
    public static Task DeclareEditBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var body = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "text" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["text"] = Text(ChatLimits.MaxTextLength, "not only whitespace, no NUL. Replaces the message's text."),
                ["userId"] = Text(ChatLimits.MaxUserIdLength, "no control characters. The actor in Development mode without a token; with one, its sub."),
            },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body } },
        };
        return Task.CompletedTask;
    }

    /// <summary>For <c>GET /rooms/{roomId}/events</c>: the two places a resume point is read from.</summary>
    public static Task DeclareResumePoint(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Last-Event-ID",
            In = ParameterLocation.Header,
            Description = ResumePoint + " Browsers send it on their own reconnects; it wins over the query parameter.",
            Schema = EventId,
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "lastEventId",
            In = ParameterLocation.Query,
            Description = ResumePoint + " For a page's first connection, since EventSource cannot set headers.",
            Schema = EventId,
        });
        return Task.CompletedTask;
    }

    // Lengths count UTF-16 code units (an emoji counts two), where JSON Schema's maxLength counts characters.
    private static OpenApiSchema Text(int maxLength, string rule) => new()
    {
        Type = JsonSchemaType.String,
        MinLength = 1,
        MaxLength = maxLength,
        Description = $"At most {maxLength} UTF-16 code units, {rule}",
    };

    private static OpenApiSchema Seq(long minimum, long? maximum) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "int64",
        Minimum = minimum.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture),
    };
}
