using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansChat.Api.Rooms;

/// <summary>Reads a room endpoint's JSON body, answering what is wrong with it as docs/api.md says (400, 413, 415).</summary>
internal static class JsonBody
{
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"The body must be application/json, not '{request.ContentType ?? "(none)"}'."));
        }

        try
        {
            return await request.ReadFromJsonAsync(typeInfo, cancellationToken) is { } body
                ? (body, null)
                : (null, Invalid("Invalid message", "The body must be a JSON object, not null."));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Body too large",
                detail: $"The body must be at most {ChatLimits.MaxBodyBytes} bytes."));
        }
        catch (JsonException e)
        {
            return (null, Invalid("Malformed JSON", $"The body is not valid JSON for this request: {e.Message}"));
        }
    }

    public static ProblemHttpResult Invalid(string title, string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
