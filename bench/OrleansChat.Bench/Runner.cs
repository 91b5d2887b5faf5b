using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace OrleansChat.Bench;

/// <summary>
/// One benchmark run: (resume only) prefill each room's backlog; open every SSE connection and report connect
/// times and failures; hold; post for the duration; wait for the deliveries to drain; report.
/// </summary>
internal sealed class Runner(BenchOptions options)
{
    private static readonly TimeSpan RssPeriod = TimeSpan.FromMilliseconds(250);

    public async Task<int> RunAsync()
    {
        var startedAt = DateTimeOffset.UtcNow;
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        using var sseHttp = new HttpClient(Handler()) { Timeout = Timeout.InfiniteTimeSpan };
        using var postHttp = new HttpClient(Handler()) { Timeout = TimeSpan.FromSeconds(30) };
        await using var rss = new RssSampler(options.Pids, RssPeriod);

        var roomIds = Enumerable.Range(0, options.Rooms).Select(r => $"{options.RoomPrefix}-{r}").ToArray();
        var subscribers = Enumerable.Range(0, options.Rooms * options.Subscribers)
            .Select(i => new Subscriber(i, i % options.Rooms, options.Urls[i % options.Urls.Count], roomIds[i % options.Rooms]))
            .ToArray();
        var posterTokens = options.Auth ? await SignInAsync(postHttp, subscribers, stop.Token) : null;
        var posters = new Posters(postHttp, options.Urls, roomIds, options.MessageSize, posterTokens);
        var latency = new LatencySplit();
        using var metricsHttp = new HttpClient(Handler()) { Timeout = TimeSpan.FromSeconds(10) };
        var readers = new List<Task>(subscribers.Length);
        var baselineKb = rss.CurrentKb();
        var loadStart = RssSampler.LoadAverage();
        Log($"{options.Scenario} {options.Mode}: {options.Rooms} rooms × {options.Subscribers} subscribers on {string.Join(",", options.Urls)}; rooms {options.RoomPrefix}-*");

        // Resume: the backlog goes in first; every subscriber then asks for it at once.
        double prefillSeconds = 0;
        if (options.Backlog > 0)
        {
            var prefillStart = Stopwatch.GetTimestamp();
            await posters.RunAsync(options.Posters, 0, prefillStart, long.MaxValue, (long)options.Backlog * options.Rooms, recordLatency: false, stop.Token);
            prefillSeconds = Stopwatch.GetElapsedTime(prefillStart).TotalSeconds;
            Log($"prefilled {posters.AckedTotal} messages in {prefillSeconds:F1} s ({posters.Failed} failed)");
            foreach (var subscriber in subscribers)
            {
                subscriber.BacklogTarget = posters.Acked(subscriber.Room);
            }
        }

        var backlogAcked = Enumerable.Range(0, options.Rooms).Select(posters.Acked).ToArray();

        // Connect. Last-Event-ID: 0 makes each connection receive every message from seq 1 whenever the server
        // attaches it to the room's feed, so posting can start as soon as the headers are in (docs/api.md: resuming).
        var connectLatency = new Histogram();
        var connectStart = Stopwatch.GetTimestamp();
        var resumeCpu = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);
        var concurrency = options.Backlog > 0 ? subscribers.Length : options.ConnectConcurrency;
        using (var progress = StartProgress("connect", () => $"{subscribers.Count(s => s.Connected)}/{subscribers.Length} connected", stop.Token))
        {
            using var gate = new SemaphoreSlim(concurrency);
            await Task.WhenAll(subscribers.Select(async subscriber =>
            {
                await gate.WaitAsync(stop.Token);
                try
                {
                    var stream = await subscriber.ConnectAsync(sseHttp, "0", stop.Token);
                    connectLatency.RecordTicks(subscriber.ConnectTicks);
                    if (stream is not null)
                    {
                        lock (readers)
                        {
                            readers.Add(Task.Run(() => subscriber.RunAsync(sseHttp, stream, latency, stop.Token)));
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var connectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
        var connected = subscribers.Where(s => s.Connected).ToArray();
        Log($"connected {connected.Length}/{subscribers.Length} in {connectSeconds:F2} s; connect p50 {connectLatency.PercentileMs(0.5):F1} ms, p99 {connectLatency.PercentileMs(0.99):F1} ms");

        if (options.Backlog > 0)
        {
            await WaitAsync(() => connected.All(s => s.BacklogDoneTicks != 0 || s.GaveUp), options.DrainTimeout, stop.Token);
        }

        var resumeSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
        var afterConnect = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);

        if (options.Hold > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(options.Hold), stop.Token);
        }

        var connectedKb = rss.CurrentKb();

        // Post.
        foreach (var subscriber in connected)
        {
            subscriber.RecordLatency = true;
        }

        var postCpu = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);
        var postStart = Stopwatch.GetTimestamp();
        var serverAge = options.Pids.Count > 0 ? ProcStat.AgeSeconds(options.Pids[0]) : null;
        if (options.Cold > 0)
        {
            latency.EarlyUntilTicks = posters.AckLatency.EarlyUntilTicks = postStart + (long)(options.Cold * Stopwatch.Frequency);
        }

        double postSeconds = 0;
        if (options.Idle > 0)
        {
            Log($"idle: {connected.Length} connections, no posts, {options.Idle} s");
            await Task.Delay(TimeSpan.FromSeconds(options.Idle), stop.Token);
        }
        else if (options.Duration > 0)
        {
            var backlogTotal = posters.AckedTotal;
            var endTicks = postStart + (long)(options.Duration * Stopwatch.Frequency);
            using (StartProgress("post", () => Progress(posters, backlogTotal, connected), stop.Token))
            {
                await posters.RunAsync(options.Posters, options.Rate, postStart, endTicks, long.MaxValue, recordLatency: true, stop.Token);
            }

            postSeconds = Stopwatch.GetElapsedTime(postStart).TotalSeconds;
        }

        // Drain: until every connection has what its room acknowledged, or the timeout.
        var drainStart = Stopwatch.GetTimestamp();
        using (StartProgress("drain", () => Progress(posters, 0, connected), stop.Token))
        {
            await WaitAsync(() => connected.All(s => s.LastSeq >= posters.Acked(s.Room) || s.GaveUp), options.DrainTimeout, stop.Token);
        }

        var drainSeconds = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
        var loadedKb = rss.CurrentKb();
        var endCpu = await Snapshot.TakeAsync(options, rss, metricsHttp, stop.Token);
        var measured = new Measured(postCpu, endCpu, loadStart);
        if (options.Backlog > 0 && options.Duration <= 0)
        {
            // A resume run measures the herd: connecting and replaying.
            measured = new Measured(resumeCpu, afterConnect, loadStart);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var result = Result(startedAt, subscribers, connected, connectLatency, connectSeconds, posters, backlogAcked, postSeconds,
            postStart, drainSeconds, latency, prefillSeconds, rss, baselineKb, connectedKb, loadedKb, measured, serverAge);
        var json = JsonSerializer.Serialize(result, BenchJsonContext.Default.BenchResult);
        Console.Out.WriteLine(json);
        if (options.JsonFile is { } file)
        {
            await File.AppendAllTextAsync(file, json + Environment.NewLine);
        }

        Console.Error.WriteLine(HumanReport.Of(result));
        return 0;
    }

    private BenchResult Result(
        DateTimeOffset startedAt,
        Subscriber[] subscribers,
        Subscriber[] connected,
        Histogram connectLatency,
        double connectSeconds,
        Posters posters,
        long[] backlogAcked,
        double postSeconds,
        long postStart,
        double drainSeconds,
        LatencySplit latency,
        double prefillSeconds,
        RssSampler rss,
        long? baselineKb,
        long? connectedKb,
        long? loadedKb,
        Measured cpu,
        double? serverAge)
    {
        long expected = 0, delivered = 0, lost = 0, unexpected = 0, gapped = 0;
        var lostSample = new List<string>();
        var incomplete = 0;
        foreach (var s in connected)
        {
            var acked = posters.Acked(s.Room);
            expected += acked;
            delivered += s.Unique;
            long missing = 0, skipped = 0;
            for (var seq = 1L; seq <= acked; seq++)
            {
                if (!s.HasSeq(seq))
                {
                    _ = s.IsGapped(seq) ? skipped++ : missing++;
                    if (!s.IsGapped(seq) && lostSample.Count < 5)
                    {
                        lostSample.Add($"connection {s.Index} ({s.RoomId}): seq {seq}; gaps {s.GapRanges}");
                    }
                }
            }

            lost += missing;
            gapped += skipped;
            unexpected += Math.Max(0, s.Unique - (acked - missing - skipped));
            incomplete += missing > 0 ? 1 : 0;
        }

        // Live deliveries only (a resume run's backlog is measured separately), from the first post to the last delivery.
        var liveDelivered = connected.Sum(s => Math.Max(0, s.Unique - backlogAcked[s.Room]));
        var lastDelivery = connected.Select(s => s.LastDeliveryTicks).DefaultIfEmpty(0).Max();
        var deliverySeconds = lastDelivery > postStart ? Stopwatch.GetElapsedTime(postStart, lastDelivery).TotalSeconds : 0;
        var firstDelivery = connected.Select(s => s.FirstLiveDeliveryTicks).Where(t => t != 0).DefaultIfEmpty(0).Min();
        var connectErrors = subscribers.Where(s => !s.Connected && s.Error is not null)
            .GroupBy(s => s.Error!).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ×{g.Count()}").ToArray();

        ResumeResult? resume = null;
        if (options.Backlog > 0)
        {
            var backlogLatency = new Histogram();
            var within50 = 0;
            foreach (var s in connected.Where(s => s.BacklogDoneTicks != 0))
            {
                var ticks = s.BacklogDoneTicks - s.RequestStartTicks;
                backlogLatency.RecordTicks(ticks);
                within50 += Stopwatch.GetElapsedTime(0, ticks) <= TimeSpan.FromMilliseconds(50) ? 1 : 0;
            }

            resume = new ResumeResult(subscribers.Length, options.Backlog, (int)backlogLatency.Count, within50, Round(prefillSeconds), backlogLatency.Summary());
        }

        var postedLive = posters.AckedTotal - backlogAcked.Sum();
        double? offered = options.Rate > 0 && options.Idle <= 0 && options.Duration > 0 ? options.Rate : null;
        var achieved = posters.AchievedPerSecond(postedLive, options.Rate);

        // Deliveries the same way as acks: at the offered rate however late each one is, unless they fall behind.
        double? offeredDeliveries = offered * options.Subscribers;
        var deliverySpan = firstDelivery > 0 && lastDelivery >= firstDelivery
            ? Stopwatch.GetElapsedTime(firstDelivery, lastDelivery).TotalSeconds + (options.Rate > 0 ? 1 / options.Rate : 0)
            : 0;
        var achievedDeliveries = deliverySpan > 0 ? Math.Round(liveDelivered / deliverySpan) : 0;
        var cold = options.Cold > 0
            ? new ColdResult(options.Cold, serverAge is { } age ? Round(age) : null, latency.Windows()!, posters.AckLatency.Windows()!)
            : null;
        var connections = connected.Length;
        double? perConnection = connections > 0 && baselineKb is { } b && connectedKb is { } c ? Math.Round((c - b) * 1024.0 / connections) : null;
        return new BenchResult(
            options.Scenario,
            options.Mode,
            options.Auth,
            startedAt,
            [.. options.Urls.Select(u => u.ToString())],
            options.RoomPrefix,
            options.Rooms,
            options.Subscribers,
            options.Rate,
            options.Posters,
            options.Duration,
            options.MessageSize,
            options.Idle > 0 ? options.Idle : null,
            new ConnectResult(subscribers.Length, connections, subscribers.Length - connections, connectErrors, Round(connectSeconds), connectLatency.Summary()),
            new PostResult(posters.Attempted, posters.AckedTotal, posters.Failed, posters.Errors, Round(postSeconds),
                postSeconds > 0 ? Math.Round(postedLive / postSeconds) : 0, offered, Math.Round(achieved, 1),
                offered is { } rate && achieved < 0.98 * rate, posters.AckLatency.All.Summary(),
                offered is null ? null : posters.SendLag.Summary()),
            new DeliveryResult(expected, delivered, lost, connected.Sum(s => s.Duplicates), connected.Sum(s => s.OutOfOrder), unexpected,
                connected.Sum(s => s.Gaps), gapped, connected.Sum(s => s.Resets), incomplete, connected.Sum(s => s.EndedByServer),
                connected.Sum(s => s.ReadErrors), connected.Sum(s => s.Reconnects), connected.Count(s => s.GaveUp),
                lostSample,
                [.. connected.Where(s => s.LastReadError is not null).GroupBy(s => s.LastReadError!).OrderByDescending(g => g.Count()).Take(5).Select(g => $"{g.Key} ×{g.Count()}")],
                deliverySeconds > 0 ? Math.Round(liveDelivered / deliverySeconds) : 0,
                offeredDeliveries,
                achievedDeliveries,
                offeredDeliveries is { } rateOfDeliveries && achievedDeliveries < 0.98 * rateOfDeliveries,
                Round(drainSeconds), latency.All.Summary()),
            resume,
            cold,
            new RssResult(rss.Pids, baselineKb, connectedKb, loadedKb, rss.PeakSampledKb(), rss.HighWaterKb(), perConnection),
            new CpuResult(
                Round(cpu.Seconds),
                cpu.Server is { } server ? Round(server) : null,
                cpu.Server is { } busy && cpu.Seconds > 0 ? Round(busy / cpu.Seconds) : null,
                cpu.Server is { } used && delivered > 0 ? Round(used * 1e6 / (options.Backlog > 0 && options.Duration <= 0 ? delivered : Math.Max(1, liveDelivered))) : null,
                Round(cpu.Self),
                cpu.LoadStart,
                RssSampler.LoadAverage(),
                Environment.ProcessorCount,
                cpu.To.RolesSince(cpu.From, options, cpu.Seconds),
                cpu.To.GrainCallsPerSecondSince(cpu.From, cpu.Seconds)));
    }

    /// <summary>A dev token for every subscriber (user <c>bench-sub-i</c>) and poster; returns the posters' tokens.</summary>
    private async Task<string[]> SignInAsync(HttpClient http, Subscriber[] subscribers, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var users = subscribers.Select(s => $"bench-sub-{s.Index}").Concat(Enumerable.Range(0, options.Posters).Select(Posters.UserId)).ToArray();
        var tokens = await DevTokens.IssueAsync(http, options.Urls, users, options.ConnectConcurrency, cancellationToken);
        foreach (var subscriber in subscribers)
        {
            subscriber.Token = tokens[subscriber.Index];
        }

        Log($"got {tokens.Length} dev tokens in {Stopwatch.GetElapsedTime(started).TotalSeconds:F2} s");
        return tokens[subscribers.Length..];
    }

    private static string Progress(Posters posters, long backlog, Subscriber[] connected)
    {
        long delivered = 0;
        foreach (var s in connected)
        {
            delivered += s.Unique;
        }

        return $"{posters.AckedTotal - backlog} posts acked, {posters.Failed} failed, {delivered} delivered";
    }

    private IDisposable StartProgress(string phase, Func<string> status, CancellationToken cancellationToken)
    {
        if (options.Progress <= 0)
        {
            return new CancellationTokenSource();
        }

        var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Progress));
            try
            {
                while (await timer.WaitForNextTickAsync(done.Token))
                {
                    Log($"[{phase} {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s] {status()}");
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return new Stopper(done);
    }

    private static async Task WaitAsync(Func<bool> done, double timeoutSeconds, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeoutSeconds * Stopwatch.Frequency);
        while (!done() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private static SocketsHttpHandler Handler() => new()
    {
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        EnableMultipleHttp2Connections = false,
    };

    private static double Round(double value) => Math.Round(value, 3);

    private static void Log(string message) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");

    private sealed class Stopper(CancellationTokenSource source) : IDisposable
    {
        public void Dispose()
        {
            source.Cancel();
            source.Dispose();
        }
    }
}
