using Microsoft.Extensions.Options;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// Checks the node's room feeds against their rooms, at a cost that grows with the rooms that store something, not
/// with the rooms followed. Every <see cref="RoomFeedOptions.CheckIntervalSeconds"/> it asks each silo which of its
/// rooms changed (<see cref="SiloRoomReports"/>), and checks the feeds of those rooms and the feeds still behind their
/// room; a quiet room's feed is neither called nor touched. When the cluster's silos change, every feed is checked
/// against its room itself once: a silo that died may have hosted a room whose last change no report will tell.
/// </summary>
internal sealed partial class FeedWatchdog(
    RoomFeeds feeds,
    SiloRoomReports reports,
    IOptions<RoomFeedOptions> options,
    [FromKeyedServices(FeedWatchdog.ClockKey)] TimeProvider clock,
    ILogger<FeedWatchdog> logger) : BackgroundService
{
    /// <summary>The key of the clock that paces the rounds.</summary>
    public const string ClockKey = "chat.feed-watchdog";

    private int _rounds;

    /// <summary>Rounds completed, so that a test can tell that a round has passed.</summary>
    public int Rounds => Volatile.Read(ref _rounds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CheckIntervalSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RoundAsync(stoppingToken);
                Interlocked.Increment(ref _rounds);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (silosChanged, rooms) = await reports.CollectAsync();
            foreach (var room in rooms)
            {
                if (feeds.TryGet(room.RoomId, out var feed))
                {
                    feed!.Report(room);
                }
            }

            if (silosChanged)
            {
                LogSilosChanged(logger, feeds.Count);
                foreach (var feed in feeds.All)
                {
                    feed.AskRoom();
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Unreported changes stay in the silos' tables until the next round asks; feeds behind are still checked.
            LogReportsFailed(logger, exception);
        }

        await Task.WhenAll(feeds.All.Where(feed => feed.IsDue).Select(feed => CheckAsync(feed, cancellationToken)));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not learn which rooms changed; feeds behind their room are still checked.")]
    private static partial void LogReportsFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster's silos changed: checking each of {Count} feeds against its room.")]
    private static partial void LogSilosChanged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Room {RoomId}: feed check failed; will retry.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string roomId);
}
