using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansChat.Api.Hosting;

/// <summary>The document at <c>/openapi/v1.json</c>: its title, and schemas as the wire has them.</summary>
internal static class ChatOpenApi
{
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
    }

    /// <summary>
    /// The web serializer defaults also read numbers from strings, which the generator turns into "integer or
    /// string"; responses always write numbers. Timestamps go through a custom converter the generator cannot see
    /// into. Null members are left out of the JSON, so a nullable one is never required.
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

        if (schema.Required is { } required && schema.Properties is { } properties)
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
}
