namespace OrleansChat.Bench;

/// <summary>
/// Every presence event the tabs of the presence scenario received, with when, so that the runner can count them per
/// phase afterwards: the events of the storm, and any <c>leave</c> or <c>join</c> that should not have happened.
/// </summary>
internal sealed class PresenceLedger(IReadOnlyList<HashSet<string>> usersByRoom)
{
    private readonly Lock _lock = new();
    private readonly List<PresenceEntry> _entries = [];

    /// <summary>A <c>presence</c> event: the whole list, which should hold every user of the room once all are in.</summary>
    public void Snapshot(PresenceTab tab, HashSet<string> listed, long ticks)
    {
        var expected = usersByRoom[tab.User.Room];
        var missing = expected.Count(user => !listed.Contains(user));
        Add(new PresenceEntry(ticks, "presence", tab.User.Room, tab.Home, null, missing));
    }

    public void Change(PresenceTab tab, string type, string userId, long ticks) =>
        Add(new PresenceEntry(ticks, type, tab.User.Room, tab.Home, userId, 0));

    /// <summary>The entries received from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), in stopwatch ticks.</summary>
    public PresenceEntry[] Between(long from, long to)
    {
        lock (_lock)
        {
            return [.. _entries.Where(e => e.Ticks >= from && e.Ticks < to)];
        }
    }

    private void Add(PresenceEntry entry)
    {
        lock (_lock)
        {
            _entries.Add(entry);
        }
    }
}

/// <summary>One presence event as a tab received it; <c>Missing</c>: users of the room a snapshot did not list.</summary>
internal readonly record struct PresenceEntry(long Ticks, string Type, int Room, Uri TabHome, string? UserId, int Missing);
