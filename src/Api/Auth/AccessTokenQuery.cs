using Microsoft.AspNetCore.Http.Features;

namespace OrleansChat.Api.Auth;

/// <summary>
/// Takes <c>access_token</c> out of every request's query string before anything sees the request: the hosting
/// layer logs the query ("Request starting" at Information) and tags traces with it as soon as the context exists.
/// The query then reads <c>access_token=redacted</c>; the token waits in <see cref="HttpContext.Items"/> for the one
/// endpoint that accepts it (see <see cref="AccessTokenInQueryAttribute"/>).
/// </summary>
internal sealed class AccessTokenQuery(IHttpContextFactory inner) : IHttpContextFactory
{
    public const string ParameterName = "access_token";
    private const string Redacted = ParameterName + "=redacted";
    private static readonly object ItemKey = new();

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        var request = featureCollection.Get<IHttpRequestFeature>();
        string? token = null;
        if (request is not null && request.QueryString.Length > 1 && Redact(request.QueryString, out token) is { } redacted)
        {
            request.QueryString = redacted;
            var queryAt = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
            request.RawTarget = (queryAt < 0 ? request.RawTarget : request.RawTarget[..queryAt]) + redacted;
        }

        var context = inner.Create(featureCollection);
        if (token is not null)
        {
            context.Items[ItemKey] = token;
        }

        return context;
    }

    public void Dispose(HttpContext httpContext) => inner.Dispose(httpContext);

    /// <summary>The token sent as <c>access_token</c> (all values joined by commas when given more than once).</summary>
    public static string? TokenOf(HttpContext context) => context.Items[ItemKey] as string;

    /// <summary>
    /// The query with each <c>access_token</c> value replaced, or null when it holds none. Names are compared as the
    /// framework reads them (decoded, any case), so no spelling of the parameter slips past into a log.
    /// </summary>
    internal static string? Redact(string query, out string? token)
    {
        token = null;
        var parts = query.TrimStart('?').Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((equals < 0 ? parts[i] : parts[i][..equals]).Replace('+', ' '));
            if (name.Equals(ParameterName, StringComparison.OrdinalIgnoreCase))
            {
                var value = equals < 0 ? "" : Uri.UnescapeDataString(parts[i][(equals + 1)..].Replace('+', ' '));
                token = token is null ? value : $"{token},{value}";
                parts[i] = Redacted;
            }
        }

        return token is null ? null : "?" + string.Join('&', parts);
    }
}

/// <summary>Marks the endpoint that accepts its token as the <c>access_token</c> query parameter (EventSource sets no headers).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class AccessTokenInQueryAttribute : Attribute;
