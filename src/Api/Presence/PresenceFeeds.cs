using Microsoft.Extensions.Options;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Presence;

/// <summary>
/// The node's presence feeds: one per room with at least one <c>?presence=true</c> stream, started by the first and
/// unsubscribed when the last one leaves. Also checks every feed once per renewal period against its grain.
/// </summary>
internal sealed partial class PresenceFeeds(
    IClusterClient client,
    IOptions<PresenceOptions> options,
    PresenceMetrics metrics,
    ILogger<PresenceFeeds> logger) : BackgroundService
{
    private readonly Dictionary<string, PresenceFeed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Adds the stream to the room's presence feed; it leaves the feed when the returned value is disposed.</summary>
    public async Task<IAsyncDisposable> JoinAsync(string roomId, SseConnection connection, CancellationToken cancellationToken)
    {
        PresenceFeed feed;
        lock (_feeds)
        {
            if (!_feeds.TryGetValue(roomId, out feed!))
            {
                _feeds[roomId] = feed = new PresenceFeed(roomId, client, metrics, logger);
            }

            feed.References++;
        }

        var membership = new Membership(this, feed, connection);
        try
        {
            await feed.EnsureStartedAsync().WaitAsync(cancellationToken);
            feed.Attach(connection);
            return membership;
        }
        catch
        {
            await membership.DisposeAsync();
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LeaseSeconds) / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                PresenceFeed[] feeds;
                lock (_feeds)
                {
                    feeds = [.. _feeds.Values];
                }

                await Task.WhenAll(feeds.Select(CheckAsync));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(PresenceFeed feed)
    {
        try
        {
            await feed.EnsureStartedAsync();
            await feed.CheckAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCheckFailed(logger, exception, feed.RoomId);
        }
    }

    private async Task LeaveAsync(PresenceFeed feed, SseConnection connection)
    {
        feed.Detach(connection);
        bool last;
        lock (_feeds)
        {
            last = --feed.References == 0;
            if (last)
            {
                _feeds.Remove(feed.RoomId);
            }
        }

        if (last)
        {
            await feed.StopAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: presence feed check failed; will retry.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string roomId);

    private sealed class Membership(PresenceFeeds feeds, PresenceFeed feed, SseConnection connection) : IAsyncDisposable
    {
        private int _left;

        public ValueTask DisposeAsync() =>
            Interlocked.Exchange(ref _left, 1) == 0 ? new ValueTask(feeds.LeaveAsync(feed, connection)) : ValueTask.CompletedTask;
    }
}
