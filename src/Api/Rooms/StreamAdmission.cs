using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// Whether one more event stream may open for a client, decided before it opens: a user's streams are capped
/// across the cluster (<see cref="UserStreamLeases"/>), an anonymous client's per address on this node
/// (<see cref="AnonymousStreams"/>). Over a cap: <c>429</c> with <c>Retry-After</c>.
/// </summary>
internal sealed class StreamAdmission(UserStreamLeases leases, AnonymousStreams anonymous)
{
    /// <summary>Streams end when their clients leave, which nobody can predict; a few seconds is a polite retry.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>The place the stream holds until disposed, or the refusal to send instead of the stream.</summary>
    public async Task<(IAsyncDisposable? Place, ProblemHttpResult? Refusal)> TryAdmitAsync(StreamHolder holder, HttpContext context)
    {
        if (holder.UserId is { } userId)
        {
            var (lease, open) = await leases.TryAcquireAsync(userId);
            return lease is not null
                ? (lease, null)
                : (null, TooMany($"User '{userId}' holds {open} open event streams across the cluster, the most allowed "
                    + $"(Chat:Auth:MaxStreamsPerUser = {leases.MaxStreamsPerUser}); close one first."));
        }

        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return anonymous.TryEnter(address) is { } place
            ? (new AsyncPlace(place), null)
            : (null, TooMany($"This address holds {anonymous.MaxPerAddress} open anonymous event streams on this node, the most allowed "
                + "(Chat:Sse:MaxAnonymousStreamsPerAddress); close one first, or open streams with a token."));
    }

    private static ProblemHttpResult TooMany(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status429TooManyRequests, title: "Too many event streams", detail: detail);

    private sealed class AsyncPlace(IDisposable place) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            place.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
