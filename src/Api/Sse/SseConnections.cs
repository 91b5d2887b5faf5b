using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Events;
using OrleansChat.Api.Telemetry;

namespace OrleansChat.Api.Sse;

/// <summary>
/// Every open event stream of this node: caps their number, writes keep-alives to the idle ones, and ends them
/// all cleanly when the node shuts down so browsers reconnect elsewhere at once.
/// </summary>
internal sealed class SseConnections : BackgroundService
{
    private readonly SseOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ConcurrentDictionary<SseConnection, byte> _open = new(ReferenceEqualityComparer.Instance);
    private int _count;
    private volatile bool _stopping;

    public SseConnections(IOptions<SseOptions> options, IHostApplicationLifetime lifetime, ChatMetrics metrics)
    {
        _options = options.Value;
        _lifetime = lifetime;
        metrics.ObserveOpenStreams(() => Count);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>True once the node is shutting down: it takes no new stream.</summary>
    public bool Stopping => _stopping;

    public bool TryAdd(SseConnection connection)
    {
        if (_stopping || Interlocked.Increment(ref _count) > _options.MaxConnections)
        {
            if (!_stopping)
            {
                Interlocked.Decrement(ref _count);
            }

            return false;
        }

        _open.TryAdd(connection, 0);
        return true;
    }

    public void Remove(SseConnection connection)
    {
        if (_open.TryRemove(connection, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = _lifetime.ApplicationStopping.Register(CloseAll);
        var heartbeatMs = _options.HeartbeatSeconds * 1000L;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Min(1000, heartbeatMs / 4)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // The dictionary itself, not its Keys: that would take every lock and copy 10,000s of keys each tick.
                foreach (var (connection, _) in _open)
                {
                    if (connection.IdleMilliseconds >= heartbeatMs)
                    {
                        connection.Enqueue(ControlFrame.KeepAlive);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void CloseAll()
    {
        _stopping = true;
        foreach (var connection in _open.Keys)
        {
            connection.Close();
        }
    }
}
