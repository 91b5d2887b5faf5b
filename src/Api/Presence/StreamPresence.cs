using System.Security.Claims;
using OrleansChat.Api.Auth;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Presence;

/// <summary>
/// An event stream's part in its room's presence: every stream counts (as its token's user, or as anonymous), and a
/// <c>?presence=true</c> stream also receives the room's presence events.
/// </summary>
internal sealed class StreamPresence(PresenceReporter reporter, PresenceFeeds feeds)
{
    /// <summary>Counts the stream, and subscribes it when <paramref name="withEvents"/>, until disposed.</summary>
    public async Task<IAsyncDisposable> EnterAsync(
        string roomId, ClaimsPrincipal principal, SseConnection connection, bool withEvents, CancellationToken cancellationToken)
    {
        var feed = withEvents ? await feeds.JoinAsync(roomId, connection, cancellationToken) : null;
        var user = ChatUser.From(principal) is { } chatUser ? new PresenceUser(chatUser.Id, chatUser.Name) : null;
        return new Entry(reporter.Open(roomId, user), feed);
    }

    private sealed class Entry(IDisposable counted, IAsyncDisposable? feed) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            counted.Dispose();
            if (feed is not null)
            {
                await feed.DisposeAsync();
            }
        }
    }
}
