namespace OrleansChat;

/// <summary>
/// The state of a room's presence: each node's lease and open streams per user, the members (present, or within
/// the grace after their last stream closed), and the joins and leaves not yet published.
/// </summary>
/// <remarks>
/// A node's streams count while its lease in the room runs (from its last report or renewal to the room) or, past
/// that, while its lease on this silo runs (<see cref="NodeLeases"/>), which the node renews for all rooms at once.
/// </remarks>
internal sealed class RoomMembers(NodeLeases leases)
{
    private readonly Dictionary<string, NodeStreams> _nodes = [];
    private readonly Dictionary<string, Member> _members = [];
    private readonly HashSet<string> _departing = [];
    private readonly Dictionary<string, PresenceMember> _joined = [];
    private readonly Dictionary<string, PresenceUser> _left = [];
    private bool _anonymousChanged;

    /// <summary>How long a member stays after their last stream closed; null until a node said.</summary>
    public TimeSpan? Grace { get; set; }

    /// <summary>Whether joins or leaves wait to be published.</summary>
    public bool HasChanges => _joined.Count > 0 || _left.Count > 0 || _anonymousChanged;

    /// <summary>
    /// When the next lease or grace ends, or null when none runs. A node's lease in the room is no deadline while the
    /// node's silo lease outlasts it: when that one ends unrenewed, the silo's table pokes the grain.
    /// </summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var (nodeId, node) in _nodes)
            {
                if (node.HoldsStreams && leases.EndOf(nodeId) >= node.LeaseEnd)
                {
                    continue;
                }

                next = node.LeaseEnd < next || next is null ? node.LeaseEnd : next;
            }

            foreach (var userId in _departing)
            {
                var end = _members[userId].ClosedAt + Grace;
                next = end < next || next is null ? end : next;
            }

            return next;
        }
    }

    public bool IsEmpty => _nodes.Count == 0 && _members.Count == 0 && _joined.Count == 0 && _left.Count == 0 && !_anonymousChanged;

    public void Apply(string nodeId, PresenceDelta delta, DateTimeOffset now, DateTimeOffset leaseEnd)
    {
        var node = Node(nodeId, leaseEnd);
        foreach (var opened in delta.Opened)
        {
            var streams = node.Streams.TryGetValue(opened.User.UserId, out var held) ? held : node.Streams[opened.User.UserId] = [];
            streams.UnionWith(opened.StreamIds);
            Arrive(opened.User, now, announce: true);
        }

        foreach (var closed in delta.Closed)
        {
            if (node.Streams.TryGetValue(closed.User.UserId, out var streams))
            {
                streams.ExceptWith(closed.StreamIds);
                if (streams.Count == 0)
                {
                    node.Streams.Remove(closed.User.UserId);
                    DepartIfGone(closed.User.UserId, now);
                }
            }
        }

        if (delta.AnonymousChange != 0)
        {
            node.Anonymous = Math.Max(0, node.Anonymous + delta.AnonymousChange);
            _anonymousChanged = true;
        }
    }

    /// <summary>Replaces the node's streams with <paramref name="streams"/>; new members are announced unless told not to.</summary>
    public void Replace(string nodeId, NodePresence streams, DateTimeOffset now, DateTimeOffset leaseEnd, bool announce)
    {
        var node = Node(nodeId, leaseEnd);
        var before = node.Streams;
        node.Streams = streams.Users.ToDictionary(u => u.User.UserId, u => u.StreamIds.ToHashSet());
        foreach (var user in streams.Users)
        {
            Arrive(user.User, now, announce);
        }

        foreach (var userId in before.Keys)
        {
            if (!node.Streams.ContainsKey(userId))
            {
                DepartIfGone(userId, now);
            }
        }

        _anonymousChanged |= node.Anonymous != streams.Anonymous;
        node.Anonymous = streams.Anonymous;
    }

    /// <summary>
    /// Drops the leases of nodes that stopped renewing (their users, unless present elsewhere, leave at once: the
    /// lease outlasted the grace) and lets members whose grace is over leave. A node that holds nothing here is
    /// dropped when its lease in the room ends, whatever its silo lease says, so that an emptied room can go.
    /// </summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (var (nodeId, node) in _nodes)
        {
            if (node.LeaseEnd <= now && !(node.HoldsStreams && leases.EndOf(nodeId) > now))
            {
                _nodes.Remove(nodeId);
                _anonymousChanged |= node.Anonymous != 0;
                foreach (var userId in node.Streams.Keys)
                {
                    if (!HasStreams(userId))
                    {
                        Leave(userId);
                    }
                }
            }
        }

        foreach (var userId in _departing.ToArray())
        {
            if (_members[userId].ClosedAt + Grace <= now)
            {
                Leave(userId);
            }
        }
    }

    /// <summary>The joins and leaves since the last call (version 0, for the caller to number), or null when none.</summary>
    public PresenceChanges? TakeChanges()
    {
        if (!HasChanges)
        {
            return null;
        }

        var changes = new PresenceChanges(0, [.. _joined.Values], [.. _left.Values], _members.Count, Anonymous);
        _joined.Clear();
        _left.Clear();
        _anonymousChanged = false;
        return changes;
    }

    public RoomPresence Snapshot(string roomId) => new(
        roomId,
        _members.Count,
        Anonymous,
        [.. _members.Values.Select(m => m.Shown).OrderBy(m => m.Since).ThenBy(m => m.UserId, StringComparer.Ordinal).Take(RoomPresence.MaxMembers)]);

    private int Anonymous => _nodes.Values.Sum(node => node.Anonymous);

    private NodeStreams Node(string nodeId, DateTimeOffset leaseEnd)
    {
        if (!_nodes.TryGetValue(nodeId, out var node))
        {
            _nodes[nodeId] = node = new NodeStreams();
        }

        node.LeaseEnd = leaseEnd;
        return node;
    }

    private bool HasStreams(string userId) => _nodes.Values.Any(node => node.Streams.ContainsKey(userId));

    private void Arrive(PresenceUser user, DateTimeOffset now, bool announce)
    {
        if (_members.TryGetValue(user.UserId, out var member))
        {
            // Back within the grace, on any node: nothing to tell.
            member.ClosedAt = null;
            _departing.Remove(user.UserId);
            return;
        }

        member = new Member(new PresenceMember(user.UserId, user.UserName, now));
        _members[user.UserId] = member;
        if (_left.Remove(user.UserId) || !announce)
        {
            // Left and back within one interval: the readers' lists are already right.
            return;
        }

        _joined[user.UserId] = member.Shown;
    }

    private void DepartIfGone(string userId, DateTimeOffset now)
    {
        if (_members.TryGetValue(userId, out var member) && !HasStreams(userId))
        {
            member.ClosedAt = now;
            _departing.Add(userId);
        }
    }

    private void Leave(string userId)
    {
        if (!_members.Remove(userId, out var member))
        {
            return;
        }

        _departing.Remove(userId);
        if (!_joined.Remove(userId))
        {
            _left[userId] = new PresenceUser(userId, member.Shown.UserName);
        }
    }

    private sealed class NodeStreams
    {
        public DateTimeOffset LeaseEnd { get; set; }

        public Dictionary<string, HashSet<long>> Streams { get; set; } = [];

        public int Anonymous { get; set; }

        public bool HoldsStreams => Streams.Count > 0 || Anonymous > 0;
    }

    private sealed class Member(PresenceMember shown)
    {
        public PresenceMember Shown { get; } = shown;

        public DateTimeOffset? ClosedAt { get; set; }
    }
}
