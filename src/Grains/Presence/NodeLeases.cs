using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat;

/// <summary>
/// This silo's table of the API nodes' presence leases (<see cref="INodeLeasesGrain"/>), by the presence clock. Every
/// presence grain on the silo reads it instead of a renewal of its own, and watches it: when a node's lease ends
/// unrenewed, each watcher is poked once, to drop that node's streams. Cost comes from nodes and their deaths, not rooms.
/// </summary>
internal sealed class NodeLeases([FromKeyedServices(PresenceGrain.ClockKey)] TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly HashSet<Watcher> _watchers = [];

    /// <summary>Renews the node's lease for <paramref name="period"/>; whether it was running until now.</summary>
    public bool Renew(string nodeId, TimeSpan period)
    {
        lock (_lock)
        {
            var running = _leases.TryGetValue(nodeId, out var lease);
            if (!running)
            {
                _leases[nodeId] = lease = new Lease();
                lease.Timer = time.CreateTimer(_ => Ended(nodeId), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            lease!.End = time.GetUtcNow() + period;
            lease.Timer.Change(period, Timeout.InfiniteTimeSpan);
            return running;
        }
    }

    /// <summary>When the node's lease ends, or null when it has none on this silo (never renewed here, or ended).</summary>
    public DateTimeOffset? EndOf(string nodeId)
    {
        lock (_lock)
        {
            return _leases.TryGetValue(nodeId, out var lease) ? lease.End : null;
        }
    }

    /// <summary>Calls <paramref name="poke"/> (on a timer thread) whenever a node's lease ends, until disposed.</summary>
    public IDisposable Watch(Action poke)
    {
        var watcher = new Watcher(this, poke);
        lock (_lock)
        {
            _watchers.Add(watcher);
        }

        return watcher;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var lease in _leases.Values)
            {
                lease.Timer.Dispose();
            }

            _leases.Clear();
        }
    }

    private void Ended(string nodeId)
    {
        Watcher[] watchers;
        lock (_lock)
        {
            if (!_leases.TryGetValue(nodeId, out var lease))
            {
                return;
            }

            var left = lease.End - time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                // Renewed as the timer fired, or a timer that ran early.
                lease.Timer.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }

            _leases.Remove(nodeId);
            lease.Timer.Dispose();
            watchers = [.. _watchers];
        }

        // Removed first: a grain poked now reads the lease as ended.
        foreach (var watcher in watchers)
        {
            watcher.Poke();
        }
    }

    private void Unwatch(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }
    }

    private sealed class Lease
    {
        public DateTimeOffset End { get; set; }

        public ITimer Timer { get; set; } = null!;
    }

    private sealed class Watcher(NodeLeases leases, Action poke) : IDisposable
    {
        public void Poke() => poke();

        public void Dispose() => leases.Unwatch(this);
    }
}
