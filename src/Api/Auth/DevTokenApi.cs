using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansChat.Api.Auth;

/// <summary><c>POST /auth/dev-token</c>: tokens for development and demos, mapped only when <c>Chat:Auth:DevTokens</c> is on.</summary>
internal static class DevTokenApi
{
    public static IEndpointRouteBuilder MapDevTokenApi(this IEndpointRouteBuilder endpoints)
    {
        // Left out of the OpenAPI document: a development aid that production nodes do not serve (docs/api.md describes it).
        endpoints.MapGroup("/auth")
            .MapPost("/dev-token", CreateDevToken)
            .WithName(nameof(CreateDevToken))
            .ExcludeFromDescription();
        return endpoints;
    }

    public static async Task<Results<Ok<DevTokenResponse>, ProblemHttpResult>> CreateDevToken(
        HttpRequest request, DevTokenIssuer issuer, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"The body must be application/json, not '{request.ContentType ?? "(none)"}'.");
        }

        DevTokenRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync(AuthJsonContext.Default.DevTokenRequest, cancellationToken);
        }
        catch (JsonException e)
        {
            return Invalid("Malformed JSON", $"The body is not valid JSON for a dev token request: {e.Message}");
        }

        if (body is null)
        {
            return Invalid("Invalid token request", "The body must be a JSON object with at least 'userId'.");
        }

        if (body.Validate() is { } error)
        {
            return Invalid("Invalid token request", error);
        }

        return TypedResults.Ok(issuer.Issue(body));
    }

    private static ProblemHttpResult Invalid(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
