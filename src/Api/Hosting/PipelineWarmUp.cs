using Microsoft.Extensions.Options;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// Before an embedded node reports ready, runs a fan-out through itself: posts to a room of its own, the room's
/// stream events, the node's feed and SSE frames written to in-process streams. So the first real clients do not
/// pay for compiling (and tiering up) that path while they are served (docs/benchmarks.md, "Cold start").
/// </summary>
/// <remarks>
/// The room's id starts with a dot, which no request can name (see <c>RoomRequest.IsValidRoomId</c>): no client reads
/// or joins it. Its streams count in the node's stream and event metrics like any others.
/// </remarks>
internal sealed partial class PipelineWarmUp(
    IGrainFactory grains,
    RoomFeeds feeds,
    ChatMetrics metrics,
    IOptions<SseOptions> sse,
    IOptions<WarmUpOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<PipelineWarmUp> logger) : BackgroundService
{
    public const string RoomId = ".warm-up";

    /// <summary>Posts in flight at once, as from several posters.</summary>
    private const int Concurrency = 16;

    private static readonly string Text = new('w', 100);

    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the warm-up has run, given up, or was turned off.</summary>
    public bool Finished => _finished.Task.IsCompleted;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            if (settings.Posts == 0)
            {
                return;
            }

            // The silo is up once the host has started.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(settings.MaxSeconds));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await RunAsync(settings, deadline.Token);
            LogWarmedUp(logger, settings.Posts, settings.Streams, clock.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            // Stopping (or a host that failed to start) is no failure of the warm-up's.
            if (!stoppingToken.IsCancellationRequested)
            {
                LogGaveUp(logger, settings.MaxSeconds);
            }
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, exception);
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    private async Task RunAsync(WarmUpOptions settings, CancellationToken cancellationToken)
    {
        var streams = new List<WarmUpStream>();
        try
        {
            for (var i = 0; i < settings.Streams; i++)
            {
                streams.Add(await WarmUpStream.OpenAsync(feeds, RoomId, sse.Value, metrics, cancellationToken));
            }

            var room = grains.GetGrain<IRoomGrain>(RoomId);
            var last = 0L;
            for (var sent = 0; sent < settings.Posts; sent += Concurrency)
            {
                var posts = Enumerable.Range(0, Math.Min(Concurrency, settings.Posts - sent))
                    .Select(_ => room.Post(new PostMessage("warm-up", Text, ClientMessageId: null)));
                foreach (var result in await Task.WhenAll(posts).WaitAsync(cancellationToken))
                {
                    last = Math.Max(last, result.Message.Seq);
                }
            }

            // Until every stream has written the last post: the delivery half of the path has run as often as the posts.
            foreach (var stream in streams)
            {
                while (stream.Position < last)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
                }
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up with {Posts} posts to {Streams} in-process streams in {Seconds:F1} s.")]
    private static partial void LogWarmedUp(ILogger logger, int posts, int streams, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up took longer than {MaxSeconds} s; ready without it.")]
    private static partial void LogGaveUp(ILogger logger, double maxSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up failed; ready without it.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
