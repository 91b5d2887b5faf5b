using System.Collections.Concurrent;

namespace OrleansChat;

/// <summary>The room log of the embedded mode and the tests: durable only for the life of the process.</summary>
public sealed class InMemoryRoomLog : IRoomLog
{
    private readonly ConcurrentDictionary<string, RoomEntries> _rooms = new(StringComparer.Ordinal);

    public Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxEvents, CancellationToken cancellationToken = default)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            return Task.FromResult(RoomLogSnapshot.Empty);
        }

        lock (room)
        {
            var window = room.Window;
            return Task.FromResult(new RoomLogSnapshot(window.LastSeq, room.Epoch, window.Events(window.LastSeq - maxEvents + 1, window.LastSeq)));
        }
    }

    public Task<RoomLogHead> ReadHeadAsync(string roomId, CancellationToken cancellationToken = default)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            return Task.FromResult(new RoomLogHead(0, null));
        }

        lock (room)
        {
            return Task.FromResult(new RoomLogHead(room.Window.LastSeq, room.Epoch));
        }
    }

    public Task<long> AppendAsync(
        string roomId,
        string epoch,
        IReadOnlyList<RoomEvent> events,
        int maxEvents,
        DateTimeOffset? trimBefore = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(events.Count);
        var room = _rooms.GetOrAdd(roomId, _ => new RoomEntries(maxEvents));
        lock (room)
        {
            var expectedLastSeq = events[0].Seq - 1;
            if (room.Window.LastSeq != expectedLastSeq || (room.Epoch is not null && room.Epoch != epoch))
            {
                throw new RoomLogConflictException(roomId, expectedLastSeq, room.Window.LastSeq, room.Epoch);
            }

            room.Epoch ??= epoch;
            if (room.Window.Capacity != maxEvents)
            {
                var window = room.Window;
                room.Window = new RoomWindow(maxEvents, window.LastSeq, window.Events(window.FirstSeq, window.LastSeq));
            }

            // The same window as the grain's: an edit or a deletion replaces the one copy of its message.
            foreach (var roomEvent in events)
            {
                room.Window.Append(roomEvent);
            }

            if (trimBefore is { } cutoff)
            {
                room.Window.DropBefore(cutoff);
            }

            return Task.FromResult(room.Window.LastSeq);
        }
    }

    public Task TrimBeforeAsync(string roomId, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        if (_rooms.TryGetValue(roomId, out var room))
        {
            lock (room)
            {
                room.Window.DropBefore(cutoff);
            }
        }

        return Task.CompletedTask;
    }

    private sealed class RoomEntries(int maxEvents)
    {
        public RoomWindow Window { get; set; } = new(maxEvents, 0, []);

        public string? Epoch { get; set; }
    }
}
