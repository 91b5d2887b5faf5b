namespace OrleansChat.Bench;

/// <summary>
/// The connect phase: opens every subscriber's event stream with <c>Last-Event-ID: 0</c>, a bounded number at once,
/// records how long each took to its headers, and starts a reader task per open stream.
/// </summary>
internal sealed class Connector(HttpClient http, LatencySplit latency)
{
    private readonly List<Task> _readers = [];

    /// <summary>Request start → response headers, per connection attempt.</summary>
    public Histogram Latency { get; } = new();

    /// <summary>
    /// Last-Event-ID: 0 makes each connection receive every event from seq 1 whenever the server attaches it to the
    /// room's feed, so posting can start as soon as the headers are in (docs/api.md: resuming).
    /// </summary>
    public async Task ConnectAsync(IEnumerable<Subscriber> subscribers, int concurrency, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(subscribers.Select(async subscriber =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var stream = await subscriber.ConnectAsync(http, "0", cancellationToken);
                Latency.RecordTicks(subscriber.ConnectTicks);
                if (stream is not null)
                {
                    lock (_readers)
                    {
                        _readers.Add(Task.Run(() => subscriber.RunAsync(http, stream, latency, cancellationToken)));
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Completes when every reader has stopped (they stop when the run's token is cancelled).</summary>
    public Task ReadersStoppedAsync()
    {
        lock (_readers)
        {
            return Task.WhenAll(_readers);
        }
    }
}
