using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// The node's room feeds: one per room with at least one connection, created by the first connection and
/// unsubscribed when the last one leaves. <see cref="FeedWatchdog"/> checks them.
/// </summary>
internal sealed class RoomFeeds
{
    private readonly ConcurrentDictionary<string, RoomFeed> _feeds = new(StringComparer.Ordinal);
    private readonly IClusterClient _client;
    private readonly TimeSpan _deliveryWindow;
    private readonly TimeProvider _time;
    private readonly ChatMetrics _metrics;
    private readonly ILogger<RoomFeeds> _logger;

    public RoomFeeds(IClusterClient client, IOptions<RoomFeedOptions> options, TimeProvider time, ChatMetrics metrics, ILogger<RoomFeeds> logger)
    {
        _client = client;
        _deliveryWindow = TimeSpan.FromMilliseconds(options.Value.DeliveryWindowMilliseconds);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        metrics.ObserveActiveFeeds(() => _feeds.Count);
    }

    public int Count => _feeds.Count;

    public IEnumerable<RoomFeed> All => _feeds.Select(pair => pair.Value);

    public bool TryGet(string roomId, out RoomFeed? feed) => _feeds.TryGetValue(roomId, out feed);

    /// <summary>Adds the connection to the room's feed, starting the feed if it is the first.</summary>
    public async Task<FeedMembership> JoinAsync(string roomId, SseConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            var feed = _feeds.GetOrAdd(roomId, id => new RoomFeed(id, _client, _deliveryWindow, _time, _metrics, _logger));
            if (!feed.TryAddReference())
            {
                // Closing under us: its last member is removing it; take the next one.
                await Task.Yield();
                continue;
            }

            try
            {
                await feed.EnsureStartedAsync().WaitAsync(cancellationToken);
                var (seq, epoch) = await feed.AttachAsync(connection, cancellationToken);
                return new FeedMembership(this, feed, connection, seq, epoch);
            }
            catch
            {
                await ReleaseAsync(feed);
                throw;
            }
        }
    }

    /// <summary>Drops the connection's reference; the last one out unsubscribes the feed.</summary>
    public async Task ReleaseAsync(RoomFeed feed)
    {
        if (feed.ReleaseReference())
        {
            _feeds.TryRemove(new KeyValuePair<string, RoomFeed>(feed.RoomId, feed));
            await feed.StopAsync();
        }
    }
}
