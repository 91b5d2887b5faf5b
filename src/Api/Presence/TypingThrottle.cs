using System.Collections.Concurrent;

namespace OrleansChat.Api.Presence;

/// <summary>
/// Lets one typing event per user and room through this node per <see cref="Interval"/>, so a client that reports
/// every keystroke costs no grain calls; the presence grain applies the same limit across the nodes.
/// </summary>
internal sealed class TypingThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    // Entries older than the interval are dropped once there are this many.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<(string RoomId, string UserId), DateTimeOffset> _passed = new();

    public bool TryPass(string roomId, string userId)
    {
        var now = time.GetUtcNow();
        var key = (roomId, userId);
        if (_passed.TryGetValue(key, out var last) && now - last < Interval)
        {
            return false;
        }

        if (_passed.Count > PruneAbove)
        {
            foreach (var (old, at) in _passed)
            {
                if (now - at >= Interval)
                {
                    _passed.TryRemove(old, out _);
                }
            }
        }

        // Two requests at once may both pass here; the grain's own limit lets only one through.
        _passed[key] = now;
        return true;
    }
}
