using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.IdentityModel.Tokens;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Auth;

/// <summary>
/// Answers a failed authorization as docs/api.md says: <c>401</c> with <c>WWW-Authenticate: Bearer</c> (plus
/// <c>error="invalid_token"</c> when a token was sent) or <c>403</c>, each as problem+json saying why. The detail
/// names what was wrong with a token, never the token itself.
/// </summary>
internal sealed class AuthProblems : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    // Not an async method on the way through: an event stream would hold its state machine for as long as it is open.
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult) =>
        authorizeResult.Challenged || authorizeResult.Forbidden
            ? RefuseAsync(context, authorizeResult)
            : _default.HandleAsync(next, context, policy, authorizeResult);

    private static async Task RefuseAsync(HttpContext context, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged && DashboardAccess.WantsSignInPage(context))
        {
            context.Response.Redirect(context.Request.PathBase + DashboardAccess.SignInPath);
        }
        else if (authorizeResult.Challenged)
        {
            var failure = (await context.AuthenticateAsync()).Failure;
            Metrics(context).Rejected(StatusCodes.Status401Unauthorized, failure is null ? RejectionReasons.TokenMissing : RejectionReasons.TokenInvalid);
            context.Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, failure is null ? "Token required" : "Invalid token", failure is null
                ? "This request needs a bearer token (Authorization: Bearer <jwt>)."
                : Describe(failure));
        }
        else if (authorizeResult.Forbidden)
        {
            Metrics(context).Rejected(StatusCodes.Status403Forbidden, RejectionReasons.Forbidden);
            var reasons = authorizeResult.AuthorizationFailure?.FailureReasons.Select(reason => reason.Message).ToArray();
            await WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", reasons is { Length: > 0 }
                ? string.Join(" ", reasons)
                : "The token does not grant this request.");
        }
    }

    private static ChatMetrics Metrics(HttpContext context) => context.RequestServices.GetRequiredService<ChatMetrics>();

    // As the endpoints answer: problem+json even to an EventSource, whose Accept names only text/event-stream.
    private static Task WriteAsync(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);

    /// <summary>From the failure's type only: the messages of the token libraries are not ours to show.</summary>
    private static string Describe(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired (exp).",
        SecurityTokenNotYetValidException => "The token is not valid yet (nbf).",
        SecurityTokenNoExpirationException => "The token has no expiry (exp).",
        SecurityTokenInvalidIssuerException => "The token's issuer (iss) is not the one this service accepts.",
        SecurityTokenInvalidAudienceException => "The token's audience (aud) is not this service.",
        SecurityTokenInvalidAlgorithmException => "The token is signed with an algorithm other than HS256, RS256 or ES256.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The token's signature could not be verified with any key this service trusts.",
        SecurityTokenMalformedException => "The token is not a well-formed JWT.",
        // Raised by our own check of the claims (ChatUser.Refusal), so its message is ours.
        AuthenticationFailureException => failure.Message,
        _ => "The token is not valid.",
    };
}
