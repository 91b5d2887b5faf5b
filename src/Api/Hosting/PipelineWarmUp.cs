using System.Runtime;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Feeds;
using OrleansChat.Api.Sse;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Hosting;

/// <summary>
/// Before an embedded node reports ready, runs a fan-out through itself: posts to a room of its own, the room's
/// stream events, the node's feed and SSE frames written to in-process streams; then posts through its own HTTP
/// endpoint (<see cref="HttpWarmUp"/>). So the first real clients do not pay for compiling (and tiering up) that path
/// while they are served (docs/benchmarks.md, "Cold start").
/// </summary>
/// <remarks>
/// The room's id starts with a dot, which no request can name (see <c>RoomRequest.IsValidRoomId</c>): no client reads
/// or joins it. Its streams count in the node's stream and event metrics like any others.
/// </remarks>
internal sealed partial class PipelineWarmUp(
    IGrainFactory grains,
    RoomFeeds feeds,
    HttpWarmUp http,
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

    /// <summary>The rounds the warm-up ran.</summary>
    public int Rounds { get; private set; }

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
            var (compiled, httpPosts) = await RunAsync(settings, deadline.Token);
            LogWarmedUp(logger, Rounds, settings.Posts, settings.Streams, httpPosts, compiled, clock.Elapsed.TotalSeconds);
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

    /// <summary>
    /// Rounds of posts until one leaves the JIT little to compile: a method is compiled again, optimized, only after
    /// it has been called often enough once call counting has begun, which waits for a pause in new compilations;
    /// so one burst of posts leaves most of the path to be recompiled under the first clients' load.
    /// </summary>
    /// <returns>The methods the last round compiled, and the posts sent through HTTP in all rounds.</returns>
    private async Task<(long Compiled, int HttpPosts)> RunAsync(WarmUpOptions settings, CancellationToken cancellationToken)
    {
        var streams = new List<WarmUpStream>();
        try
        {
            for (var i = 0; i < settings.Streams; i++)
            {
                streams.Add(await WarmUpStream.OpenAsync(feeds, RoomId, sse.Value, metrics, cancellationToken));
            }

            long compiled;
            var httpPosts = 0;
            do
            {
                var before = JitInfo.GetCompiledMethodCount();
                var last = await PostAsync(settings.Posts, cancellationToken);
                httpPosts += await http.RunAsync(settings.HttpPosts, Rounds, cancellationToken);
                await WrittenAsync(streams, last, cancellationToken);
                compiled = JitInfo.GetCompiledMethodCount() - before;
                Rounds++;
            }
            while (compiled > settings.QuietMethods && Rounds < settings.MaxRounds);

            return (compiled, httpPosts);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    /// <returns>The seq of the last post.</returns>
    private async Task<long> PostAsync(int count, CancellationToken cancellationToken)
    {
        var room = grains.GetGrain<IRoomGrain>(RoomId);
        var last = 0L;
        for (var sent = 0; sent < count; sent += Concurrency)
        {
            var posts = Enumerable.Range(0, Math.Min(Concurrency, count - sent))
                .Select(_ => room.Post(new PostMessage("warm-up", Text, ClientMessageId: null)));
            foreach (var result in await Task.WhenAll(posts).WaitAsync(cancellationToken))
            {
                last = Math.Max(last, result.Message.Seq);
            }
        }

        return last;
    }

    /// <summary>Until every stream has written the last post: the delivery half of the path has run as often as the posts.</summary>
    private static async Task WrittenAsync(List<WarmUpStream> streams, long last, CancellationToken cancellationToken)
    {
        foreach (var stream in streams)
        {
            while (stream.Position < last)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Warmed up in {Rounds} rounds of {Posts} posts to {Streams} in-process streams, "
        + "{HttpPosts} posts through HTTP in all (the last round compiled {Compiled} methods), in {Seconds:F1} s.")]
    private static partial void LogWarmedUp(ILogger logger, int rounds, int posts, int streams, int httpPosts, long compiled, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up took longer than {MaxSeconds} s; ready without it.")]
    private static partial void LogGaveUp(ILogger logger, double maxSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up failed; ready without it.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
