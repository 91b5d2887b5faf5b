using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansChat.Api.Auth;

/// <summary>
/// Who may see the Orleans dashboard in <c>Jwt</c> mode, and how a browser gets there: a browser cannot send a bearer
/// header with every page and script the dashboard loads, so an operator signs in once with a <c>chat_admin</c> token
/// and the node keeps it in a cookie that only the dashboard's paths accept.
/// </summary>
/// <remarks>
/// The sign-in is a <c>POST</c> authorized by the bearer header itself, which no cross-site form can set; the cookie is
/// HttpOnly, SameSite=Strict, scoped to the dashboard's path and expires with the token. It holds the token and no
/// more: it proves nothing the token does not, and the token's own expiry and signature are checked on every request.
/// </remarks>
public static class DashboardAccess
{
    public const string Path = "/dashboard";

    /// <summary>The authorization policy of the dashboard, and the claim it asks for in <c>Jwt</c> mode.</summary>
    public const string AdminPolicy = "chat_admin";

    public const string SignInPath = Path + "/signin";

    internal const string CookieName = "chat_dashboard";

    /// <summary>The sign-in page, the sign-in that sets the cookie, and the sign-out that removes it.</summary>
    public static IEndpointRouteBuilder MapDashboardSignIn(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup(Path).ExcludeFromDescription();
        group.MapGet("/signin", SignInPage).AllowAnonymous();
        group.MapPost("/signin", SignIn).RequireAuthorization(AdminPolicy);
        group.MapPost("/signout", SignOut).AllowAnonymous();
        return endpoints;
    }

    /// <summary>The token of a dashboard request that carries no bearer header: the sign-in cookie's, on the dashboard's paths only.</summary>
    internal static string? CookieToken(HttpRequest request) =>
        request.Path.StartsWithSegments(Path) ? request.Cookies[CookieName] : null;

    /// <summary>A browser asking for a dashboard page without a token is sent to the sign-in page instead of a 401 body.</summary>
    internal static bool WantsSignInPage(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && context.Request.Path.StartsWithSegments(Path)
        && context.Request.Path != SignInPath
        && context.Request.GetTypedHeaders().Accept.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static ContentHttpResult SignInPage() => TypedResults.Content(DashboardSignInPage.Html, "text/html; charset=utf-8");

    private static NoContent SignIn(HttpContext context, ClaimsPrincipal user, TimeProvider time)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var token = header[(header.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        var expires = long.TryParse(user.FindFirstValue("exp"), out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : time.GetUtcNow();
        context.Response.Cookies.Append(CookieName, token, Options(context, expires));
        return TypedResults.NoContent();
    }

    private static NoContent SignOut(HttpContext context)
    {
        context.Response.Cookies.Delete(CookieName, Options(context, expires: null));
        return TypedResults.NoContent();
    }

    private static CookieOptions Options(HttpContext context, DateTimeOffset? expires) => new()
    {
        Path = Path,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Expires = expires,
    };
}
