using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansChat.Api.Rooms;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// What the generated document at <c>/openapi/v1.json</c> cannot learn from the endpoints' signatures: the room
/// handlers take their numbers and the resume point as raw text, to answer bad ones with their own problem details,
/// and a few headers are written outside the handlers (rate limiter, outage handler).
/// </summary>
internal static class ChatOpenApi
{
    // The numbers in a room's URLs, parsed by RoomRequest: decimal digits only.
    private static readonly Dictionary<string, (string Description, long Minimum, long? Maximum)> SeqParameters = new(StringComparer.Ordinal)
    {
        ["seq"] = ("The message's seq.", 1, null),
        ["after"] = ("Return the oldest messages with a seq above this one.", 0, null),
        ["before"] = ("Return the newest messages with a seq below this one (scroll-back).", 0, null),
        ["limit"] = ($"Messages per page (default {RoomsApi.DefaultPageSize}).", 1, RoomsApi.MaxPageSize),
    };

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OrleansChat";
            document.Info.Description =
                "Chat rooms over HTTP and Server-Sent Events. Every API node serves this same contract; a client may "
                + "use any node and resume its event stream on any other. The prose contract is docs/api.md in the repository.";
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            DescribeWireSchema(schema, context.JsonTypeInfo);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, _, _) =>
        {
            DescribeParameters(operation);
            DescribeHeaders(operation);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// For <c>POST /rooms/{roomId}/messages</c>: the handler reads the body itself, to answer a bad one with its own
    /// problem details. Declared here rather than with <c>Accepts</c>, whose content-type matching would answer a
    /// non-JSON body with a bare 415 before the handler could say why.
    /// </summary>
    public static async Task DeclarePostBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(typeof(PostMessageRequest), cancellationToken: cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
    }

    /// <summary>For <c>GET /rooms/{roomId}/events</c>: the two places a resume point is read from.</summary>
    public static Task DeclareResumePoint(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        const string resume = "Resume after this seq: replay every retained message above it, then continue live. "
            + "Without a resume point the stream carries only messages posted after it opened.";
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Last-Event-ID",
            In = ParameterLocation.Header,
            Description = resume + " Browsers send it on their own reconnects; it wins over the query parameter.",
            Schema = SeqSchema(0, null),
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "lastEventId",
            In = ParameterLocation.Query,
            Description = resume + " For a page's first connection, since EventSource cannot set headers.",
            Schema = SeqSchema(0, null),
        });
        return Task.CompletedTask;
    }

    /// <summary>
    /// The schemas as the wire has them. The web serializer defaults also read numbers from strings, which the
    /// generator turns into "integer or string"; responses always write numbers. Timestamps go through a custom
    /// converter the generator cannot see into. Null members are left out, so a nullable one is never required.
    /// </summary>
    private static void DescribeWireSchema(OpenApiSchema schema, JsonTypeInfo type)
    {
        const JsonSchemaType IntegerOrString = JsonSchemaType.Integer | JsonSchemaType.String;
        if (schema.Type is { } kind && (kind & IntegerOrString) == IntegerOrString)
        {
            schema.Type = kind & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (type.Type == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String;
        }

        if (type.Type == typeof(PostMessageRequest))
        {
            DescribePostBody(schema);
        }
        else if (schema.Required is { } required && schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties)
            {
                if (property.Type is { } propertyKind && propertyKind.HasFlag(JsonSchemaType.Null))
                {
                    required.Remove(name);
                }
            }
        }
    }

    /// <summary>The body's class accepts anything so that its validation can say what is wrong; the contract is stricter.</summary>
    private static void DescribePostBody(OpenApiSchema schema)
    {
        schema.Required = new HashSet<string> { "userId", "text" };
        // Lengths count UTF-16 code units (an emoji counts two), where JSON Schema counts characters.
        Limit("userId", PostMessageRequest.MaxUserIdLength, "no control characters.");
        Limit("text", PostMessageRequest.MaxTextLength, "not only whitespace, no NUL.");
        Limit("clientMessageId", PostMessageRequest.MaxClientMessageIdLength,
            "no control characters. Optional: a retry with the same value (same user) while the original is retained returns the original.");

        void Limit(string name, int maxLength, string rule)
        {
            var description = $"At most {maxLength} UTF-16 code units, {rule}";
            if (schema.Properties is { } properties && properties.TryGetValue(name, out var found) && found is OpenApiSchema property)
            {
                property.Type = JsonSchemaType.String;
                property.MinLength = 1;
                property.MaxLength = maxLength;
                property.Description = description;
            }
        }
    }

    private static void DescribeParameters(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.Name == "roomId")
            {
                parameter.Description = "1–64 characters of A–Z, a–z, 0–9, '_', '.', '-', starting with a letter or digit. Rooms exist implicitly.";
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" };
            }
            else if (SeqParameters.TryGetValue(parameter.Name ?? "", out var seq))
            {
                parameter.Description = seq.Description;
                parameter.Schema = SeqSchema(seq.Minimum, seq.Maximum);
            }
        }
    }

    private static void DescribeHeaders(OpenApiOperation operation)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse writable)
            {
                continue;
            }

            var header = status switch
            {
                "201" => ("Location", "Where the stored message can be read: /rooms/{roomId}/messages/{seq}.", JsonSchemaType.String),
                "429" or "503" => ("Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer),
                _ => default((string, string, JsonSchemaType)?),
            };
            if (header is var (name, description, type))
            {
                writable.Headers ??= new Dictionary<string, IOpenApiHeader>();
                writable.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
            }
        }
    }

    private static OpenApiSchema SeqSchema(long minimum, long? maximum) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = "int64",
        Minimum = minimum.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture),
    };
}
