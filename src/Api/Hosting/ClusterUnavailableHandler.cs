using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OrleansChat.Api.Rooms;

namespace OrleansChat.Api.Hosting;

/// <summary>Answers 503 with Retry-After when the cluster cannot serve a request, instead of a 500.</summary>
internal sealed class ClusterUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!ClusterFailure.Is(exception))
        {
            return false;
        }

        return await WriteAsync(problems, httpContext, exception);
    }

    /// <summary>
    /// Until the host has started, a cluster client is still connecting, and its grain calls fail with errors that
    /// do not say so (no implementation known for the grain interface): room requests get the outage's 503 instead.
    /// </summary>
    /// <remarks>
    /// Not an async method on the way through: an event stream would hold its state machine for as long as it is open.
    /// </remarks>
    public static Task RejectUntilStartedAsync(HttpContext httpContext, RequestDelegate next)
    {
        var lifetime = httpContext.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        return lifetime.ApplicationStarted.IsCancellationRequested
            ? next(httpContext)
            : WriteAsync(httpContext.RequestServices.GetRequiredService<IProblemDetailsService>(), httpContext, exception: null).AsTask();
    }

    private static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext httpContext, Exception? exception)
    {
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Cluster unavailable",
                Detail = "The chat cluster could not serve this request right now; nothing was stored. Retry shortly (a post may be retried with the same clientMessageId).",
            },
        });
    }
}
