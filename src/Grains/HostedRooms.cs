namespace OrleansChat;

/// <summary>
/// This silo's table of where each of its active rooms stands (lastSeq, epoch), written by the rooms as they activate
/// and append, and read by <see cref="SiloRoomsGrain"/>. Each write takes the next version, so a reader asks for what
/// changed since its last answer and a quiet room costs it nothing.
/// </summary>
internal sealed class HostedRooms
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _rooms = new(StringComparer.Ordinal);
    private long _version;

    public void Stored(RoomInfo room)
    {
        lock (_lock)
        {
            _rooms[room.RoomId] = new Entry(room, ++_version);
        }
    }

    /// <summary>
    /// The room deactivated: it stands where its last write said, in the log, until it activates again and writes
    /// here (or on another silo) anew.
    /// </summary>
    public void Left(string roomId)
    {
        lock (_lock)
        {
            _rooms.Remove(roomId);
        }
    }

    public RoomChanges ChangedSince(long version)
    {
        lock (_lock)
        {
            var changed = new List<RoomInfo>();
            foreach (var entry in _rooms.Values)
            {
                if (entry.Version > version)
                {
                    changed.Add(entry.Room);
                }
            }

            return new RoomChanges(_version, changed);
        }
    }

    private readonly record struct Entry(RoomInfo Room, long Version);
}
