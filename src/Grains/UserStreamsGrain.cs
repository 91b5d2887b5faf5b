using Microsoft.Extensions.DependencyInjection;

namespace OrleansChat;

/// <summary>
/// Counts a user's open event streams from the leases the API nodes hold. In memory only: a grain that lost its
/// state (its silo died) is filled again by the nodes' next renewals, within a third of a lease period.
/// </summary>
/// <remarks>
/// Not reentrant: each call is one short turn, and the count a grant is based on must not change under it.
/// </remarks>
internal sealed class UserStreamsGrain([FromKeyedServices(UserStreamsGrain.ClockKey)] TimeProvider time) : Grain, IUserStreamsGrain
{
    /// <summary>
    /// The key of the clock leases expire by. Unregistered, Orleans resolves it to the default clock; a test registers
    /// a fake one under it without slowing or speeding up the runtime's own timers.
    /// </summary>
    public const string ClockKey = "chat.user-streams";

    private readonly Dictionary<string, NodeLease> _nodes = [];

    public Task<StreamGrant> TryAcquire(StreamLease lease, int maxStreams, TimeSpan leasePeriod)
    {
        var now = time.GetUtcNow();
        DropExpired(now);
        var open = OpenStreams();
        _nodes.TryGetValue(lease.NodeId, out var node);
        if (node?.Streams.Contains(lease.StreamId) != true)
        {
            if (open >= maxStreams)
            {
                return Task.FromResult(new StreamGrant(false, open));
            }

            if (node is null)
            {
                _nodes[lease.NodeId] = node = new NodeLease();
            }

            node.Streams.Add(lease.StreamId);
            open++;
        }

        // A node that opens a stream is alive: its other streams count for another period too.
        node.ExpiresAt = now + leasePeriod;
        return Task.FromResult(new StreamGrant(true, open));
    }

    public Task Release(StreamLease lease)
    {
        if (_nodes.TryGetValue(lease.NodeId, out var node) && node.Streams.Remove(lease.StreamId) && node.Streams.Count == 0)
        {
            _nodes.Remove(lease.NodeId);
        }

        DeactivateWhenEmpty();
        return Task.CompletedTask;
    }

    public Task Renew(string nodeId, long[] streamIds, TimeSpan leasePeriod)
    {
        var now = time.GetUtcNow();
        DropExpired(now);
        if (streamIds.Length == 0)
        {
            _nodes.Remove(nodeId);
        }
        else
        {
            _nodes[nodeId] = new NodeLease { ExpiresAt = now + leasePeriod, Streams = [.. streamIds] };
        }

        DeactivateWhenEmpty();
        return Task.CompletedTask;
    }

    private int OpenStreams() => _nodes.Values.Sum(node => node.Streams.Count);

    private void DropExpired(DateTimeOffset now)
    {
        foreach (var (nodeId, node) in _nodes)
        {
            if (node.ExpiresAt <= now)
            {
                _nodes.Remove(nodeId);
            }
        }
    }

    // A user with no open stream needs no activation; the next connect starts from an empty count, which is the truth.
    private void DeactivateWhenEmpty()
    {
        if (_nodes.Count == 0)
        {
            DeactivateOnIdle();
        }
    }

    private sealed class NodeLease
    {
        public DateTimeOffset ExpiresAt { get; set; }

        public HashSet<long> Streams { get; init; } = [];
    }
}
