namespace OrleansChat.Api.Presence;

/// <summary>
/// This node's open streams to one room, and what changed since the last report to the room's presence grain.
/// Not thread-safe: <see cref="PresenceReporter"/> holds its lock around every use.
/// </summary>
internal sealed class NodeRoomStreams
{
    private readonly Dictionary<string, (PresenceUser User, HashSet<long> Streams)> _users = [];
    private readonly Dictionary<string, (PresenceUser User, List<long> Streams)> _opened = [];
    private readonly Dictionary<string, (PresenceUser User, List<long> Streams)> _closed = [];
    private int _anonymous;
    private int _anonymousChange;

    /// <summary>The grain may not hold what this node has (a report failed): the next call sends everything.</summary>
    public bool NeedsRenewal { get; set; }

    public int Streams => _anonymous + _users.Values.Sum(u => u.Streams.Count);

    /// <summary>Nothing open, nothing to tell: the room can be forgotten.</summary>
    public bool IsIdle => _users.Count == 0 && _anonymous == 0 && !HasChanges && !NeedsRenewal;

    private bool HasChanges => _opened.Count > 0 || _closed.Count > 0 || _anonymousChange != 0;

    public void Open(PresenceUser? user, long streamId)
    {
        if (user is null)
        {
            _anonymous++;
            _anonymousChange++;
            return;
        }

        if (!_users.TryGetValue(user.UserId, out var held))
        {
            _users[user.UserId] = held = (user, []);
        }

        held.Streams.Add(streamId);
        Add(_opened, user, streamId);
    }

    public void Close(PresenceUser? user, long streamId)
    {
        if (user is null)
        {
            _anonymous--;
            _anonymousChange--;
            return;
        }

        if (_users.TryGetValue(user.UserId, out var held) && held.Streams.Remove(streamId) && held.Streams.Count == 0)
        {
            _users.Remove(user.UserId);
        }

        // A stream opened and closed between two reports is news to nobody.
        if (_opened.TryGetValue(user.UserId, out var opened) && opened.Streams.Remove(streamId))
        {
            if (opened.Streams.Count == 0)
            {
                _opened.Remove(user.UserId);
            }

            return;
        }

        Add(_closed, user, streamId);
    }

    /// <summary>The changes since the last take, or null when there are none.</summary>
    public PresenceDelta? TakeDelta()
    {
        if (!HasChanges)
        {
            return null;
        }

        var delta = new PresenceDelta(List(_opened), List(_closed), _anonymousChange);
        Clear();
        return delta;
    }

    /// <summary>Everything open now; it includes every change, so those are taken too.</summary>
    public NodePresence TakeAll()
    {
        Clear();
        NeedsRenewal = false;
        return new NodePresence([.. _users.Values.Select(u => new UserPresenceStreams(u.User, [.. u.Streams]))], _anonymous);
    }

    private void Clear()
    {
        _opened.Clear();
        _closed.Clear();
        _anonymousChange = 0;
    }

    private static void Add(Dictionary<string, (PresenceUser User, List<long> Streams)> changes, PresenceUser user, long streamId)
    {
        if (!changes.TryGetValue(user.UserId, out var entry))
        {
            changes[user.UserId] = entry = (user, []);
        }

        entry.Streams.Add(streamId);
    }

    private static UserPresenceStreams[] List(Dictionary<string, (PresenceUser User, List<long> Streams)> changes) =>
        [.. changes.Values.Select(c => new UserPresenceStreams(c.User, [.. c.Streams]))];
}
