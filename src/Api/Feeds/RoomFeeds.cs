using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Hosting;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// The node's room feeds: one per room with at least one connection, created by the first connection and
/// unsubscribed when the last one leaves. Also runs each feed's watchdog check.
/// </summary>
internal sealed partial class RoomFeeds(
    IClusterClient client,
    IOptions<RoomFeedOptions> options,
    ILogger<RoomFeeds> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, RoomFeed> _feeds = new(StringComparer.Ordinal);

    public int Count => _feeds.Count;

    public bool TryGet(string roomId, out RoomFeed? feed) => _feeds.TryGetValue(roomId, out feed);

    /// <summary>Adds the connection to the room's feed, starting the feed if it is the first.</summary>
    public async Task<FeedMembership> JoinAsync(string roomId, SseConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var feed = _feeds.GetOrAdd(roomId, id => new RoomFeed(id, client, logger));
            if (!feed.TryAddReference())
            {
                // Closing under us: its last member is removing it; take the next one.
                await Task.Yield();
                continue;
            }

            try
            {
                await feed.EnsureStartedAsync().WaitAsync(cancellationToken);
                var joinedAt = await feed.AttachAsync(connection, cancellationToken);
                return new FeedMembership(this, feed, connection, joinedAt);
            }
            catch
            {
                await ReleaseAsync(feed);
                throw;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckIntervalSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Task.WhenAll(_feeds.Values.Select(feed => CheckAsync(feed, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(RoomFeed feed, CancellationToken cancellationToken)
    {
        try
        {
            await feed.CheckAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCheckFailed(logger, exception, feed.RoomId);
        }
    }

    private async Task ReleaseAsync(RoomFeed feed)
    {
        if (feed.ReleaseReference())
        {
            _feeds.TryRemove(new KeyValuePair<string, RoomFeed>(feed.RoomId, feed));
            await feed.StopAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: feed check failed; will retry.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string roomId);

    /// <summary>A connection's place in a feed; disposing it leaves the feed.</summary>
    public sealed class FeedMembership(RoomFeeds feeds, RoomFeed feed, SseConnection connection, long joinedAtSeq) : IAsyncDisposable
    {
        /// <summary>The connection receives every message after this seq from the feed.</summary>
        public long JoinedAtSeq { get; } = joinedAtSeq;

        /// <summary>The message's chat frame, shared with the feed and the node's other replays.</summary>
        public SseFrame ChatFrame(ChatMessage message) => feed.ChatFrame(message);

        /// <summary>The chat frame of <paramref name="seq"/> if the feed still holds it encoded, else null.</summary>
        public SseFrame? CachedChatFrame(long seq) => feed.CachedChatFrame(seq);

        /// <summary>The room's history page after <paramref name="after"/>, read once for all of the node's concurrent replays.</summary>
        public Task<HistoryPage> ReadPageAsync(long after) => feed.ReadPageAsync(after);

        public Task<RoomInfo> ReadInfoAsync() => feed.ReadInfoAsync();

        public async ValueTask DisposeAsync()
        {
            feed.Detach(connection);
            await feeds.ReleaseAsync(feed);
        }
    }
}
