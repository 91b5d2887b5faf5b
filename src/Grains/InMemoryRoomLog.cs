using System.Collections.Concurrent;

namespace OrleansChat;

/// <summary>The room log of the embedded mode and the tests: durable only for the life of the process.</summary>
public sealed class InMemoryRoomLog : IRoomLog
{
    private readonly ConcurrentDictionary<string, RoomEntries> _rooms = new(StringComparer.Ordinal);

    public Task<RoomLogSnapshot> ReadRecentAsync(string roomId, int maxMessages, CancellationToken cancellationToken = default)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            return Task.FromResult(RoomLogSnapshot.Empty);
        }

        lock (room)
        {
            var skip = Math.Max(0, room.Messages.Count - maxMessages);
            return Task.FromResult(new RoomLogSnapshot(room.LastSeq, room.Messages.Skip(skip).ToArray()));
        }
    }

    public Task<long> AppendAsync(string roomId, IReadOnlyList<ChatMessage> messages, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count);
        var room = _rooms.GetOrAdd(roomId, static _ => new RoomEntries());
        lock (room)
        {
            var expectedLastSeq = messages[0].Seq - 1;
            if (room.LastSeq != expectedLastSeq)
            {
                throw new RoomLogConflictException(roomId, expectedLastSeq, room.LastSeq);
            }

            foreach (var message in messages)
            {
                room.Messages.Enqueue(message);
            }

            room.LastSeq = messages[^1].Seq;
            while (room.Messages.Count > maxMessages)
            {
                room.Messages.Dequeue();
            }

            return Task.FromResult(room.LastSeq);
        }
    }

    public Task TrimBelowAsync(string roomId, long firstKeptSeq, CancellationToken cancellationToken = default)
    {
        if (_rooms.TryGetValue(roomId, out var room))
        {
            lock (room)
            {
                while (room.Messages.TryPeek(out var oldest) && oldest.Seq < firstKeptSeq)
                {
                    room.Messages.Dequeue();
                }
            }
        }

        return Task.CompletedTask;
    }

    private sealed class RoomEntries
    {
        public Queue<ChatMessage> Messages { get; } = new();

        public long LastSeq { get; set; }
    }
}
