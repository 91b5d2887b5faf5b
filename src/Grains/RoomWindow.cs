namespace OrleansChat;

/// <summary>
/// The retained tail of a room's event log in memory: consecutive seqs in a ring, so a seq maps to its slot by
/// arithmetic, appending past capacity drops the oldest event in O(1), and an age limit drops the oldest while they are too old. Each message's current state is held once,
/// beside the ring, for as long as a retained event names it: an edit or a deletion replaces it, so every read shows
/// messages as they now stand and a deleted text is kept nowhere. The ring starts small and doubles up to the
/// capacity: most rooms are quiet, and a full-size ring (≈ 40 KB at 1,000 events) for each of them, in the room grain
/// and in an embedded node's log alike, was most of what an open but quiet room cost.
/// </summary>
internal sealed class RoomWindow
{
    private const int InitialSlots = 16;

    private readonly int _capacity;
    private readonly Dictionary<long, Body> _bodies = [];
    private Entry[] _ring;
    private int _start;
    private int _count;

    public RoomWindow(int capacity, long lastSeq, IReadOnlyList<RoomEvent> recent)
    {
        _capacity = capacity;
        var skipped = Math.Max(0, recent.Count - capacity);
        _ring = new Entry[Math.Min(capacity, Math.Max(InitialSlots, recent.Count - skipped))];
        LastSeq = lastSeq;
        foreach (var roomEvent in recent.Skip(skipped))
        {
            _ring[_count++] = Entry.Of(roomEvent);
            _bodies[roomEvent.Message.Seq] = new Body(roomEvent.Message, roomEvent.Seq);
        }
    }

    public int Capacity => _capacity;

    public long LastSeq { get; private set; }

    /// <summary>The oldest retained seq, or <c>LastSeq + 1</c> when nothing is retained.</summary>
    public long FirstSeq => _count == 0 ? LastSeq + 1 : _ring[_start].Seq;

    /// <summary>
    /// Appends the next event and makes its message's state the current one; returns the message whose own (message)
    /// event it pushed out, if the window was full and the evicted event was one.
    /// </summary>
    public ChatMessage? Append(RoomEvent roomEvent)
    {
        if (roomEvent.Seq != LastSeq + 1)
        {
            throw new InvalidOperationException($"Seq {roomEvent.Seq} does not follow {LastSeq}.");
        }

        LastSeq = roomEvent.Seq;
        _bodies[roomEvent.Message.Seq] = new Body(roomEvent.Message, roomEvent.Seq);
        ChatMessage? evicted = null;
        if (_count == _ring.Length)
        {
            if (_ring.Length < _capacity)
            {
                Grow();
            }
            else
            {
                evicted = DropOldest();
            }
        }

        _ring[(_start + _count++) % _ring.Length] = Entry.Of(roomEvent);
        return evicted;
    }

    /// <summary>
    /// Drops the oldest events while their time is before <paramref name="cutoff"/>, stopping at the first that is not
    /// (so what stays is still consecutive, and the same rule in the store trims the same events); returns the
    /// messages whose own (message) events it dropped.
    /// </summary>
    public IReadOnlyList<ChatMessage> DropBefore(DateTimeOffset cutoff)
    {
        if (_count == 0 || _ring[_start].At >= cutoff)
        {
            // Every call of a room with an age limit asks; almost always, nothing is due.
            return [];
        }

        var dropped = new List<ChatMessage>();
        while (_count > 0 && _ring[_start].At < cutoff)
        {
            if (DropOldest() is { } message)
            {
                dropped.Add(message);
            }
        }

        return dropped;
    }

    /// <summary>Message <paramref name="seq"/> as it now stands, while its own event is retained; else null.</summary>
    public ChatMessage? Message(long seq) =>
        seq >= FirstSeq && seq <= LastSeq && At(seq).Kind == RoomEventKind.Message ? _bodies[seq].State : null;

    /// <summary>Events with <paramref name="fromSeq"/> ≤ seq ≤ <paramref name="toSeq"/>, clipped to what is retained.</summary>
    public RoomEvent[] Events(long fromSeq, long toSeq)
    {
        fromSeq = Math.Max(fromSeq, FirstSeq);
        toSeq = Math.Min(toSeq, LastSeq);
        if (toSeq < fromSeq)
        {
            return [];
        }

        var result = new RoomEvent[toSeq - fromSeq + 1];
        for (var i = 0; i < result.Length; i++)
        {
            var entry = At(fromSeq + i);
            result[i] = new RoomEvent(entry.Seq, entry.Kind, entry.At, _bodies[entry.MessageSeq].State);
        }

        return result;
    }

    /// <summary>The oldest retained events with a seq above <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    public RoomEvent[] EventsAfter(long after, int limit)
    {
        var from = Math.Clamp(after, FirstSeq - 1, LastSeq) + 1;
        return Events(from, from + Math.Max(limit, 0) - 1);
    }

    /// <summary>The messages a page of history asks for (see <see cref="HistoryQuery"/>), oldest first.</summary>
    public List<ChatMessage> Messages(HistoryQuery query)
    {
        var last = LastSeq;
        var limit = Math.Max(query.Limit, 0);

        // Clamping first keeps the arithmetic below clear of overflow for any seq a client can send. The limit counts
        // messages, so a page after a seq below the retained history holds the oldest retained messages.
        var after = Clamp(query.After, FirstSeq - 1);
        var before = Clamp(query.Before, 0);
        return (after, before) switch
        {
            (null, null) => Messages(FirstSeq, last, limit, newest: true),
            (long a, null) => Messages(a + 1, last, limit, newest: false),
            (null, long b) => Messages(FirstSeq, b - 1, limit, newest: true),
            (long a, long b) => Messages(a + 1, b - 1, limit, newest: false),
        };

        long? Clamp(long? seq, long min) => seq is { } value ? Math.Clamp(value, min, last + 1) : null;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> messages with <paramref name="fromSeq"/> ≤ seq ≤ <paramref name="toSeq"/>, oldest
    /// first: the oldest of the range, or with <paramref name="newest"/> the newest.
    /// </summary>
    public List<ChatMessage> Messages(long fromSeq, long toSeq, int limit, bool newest)
    {
        fromSeq = Math.Max(fromSeq, FirstSeq);
        toSeq = Math.Min(toSeq, LastSeq);
        var found = new List<ChatMessage>(Math.Min(limit, 64));
        var step = newest ? -1 : 1;
        for (var seq = newest ? toSeq : fromSeq; seq >= fromSeq && seq <= toSeq && found.Count < limit; seq += step)
        {
            if (At(seq).Kind == RoomEventKind.Message)
            {
                found.Add(_bodies[seq].State);
            }
        }

        if (newest)
        {
            found.Reverse();
        }

        return found;
    }

    /// <summary>Drops the oldest event, and its message's state if no retained event names it any more.</summary>
    private ChatMessage? DropOldest()
    {
        var dropped = _ring[_start];
        _ring[_start] = default;
        _start = (_start + 1) % _ring.Length;
        _count--;
        var body = _bodies[dropped.MessageSeq];
        if (body.NewestSeq == dropped.Seq)
        {
            _bodies.Remove(dropped.MessageSeq);
        }

        return dropped.Kind == RoomEventKind.Message ? body.State : null;
    }

    /// <summary>Doubles the ring (up to the capacity), its events in order from the first slot.</summary>
    private void Grow()
    {
        var grown = new Entry[Math.Min(_capacity, _ring.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _ring[(_start + i) % _ring.Length];
        }

        _ring = grown;
        _start = 0;
    }

    private ref Entry At(long seq) => ref _ring[(_start + (int)(seq - FirstSeq)) % _ring.Length];

    private readonly record struct Entry(long Seq, RoomEventKind Kind, DateTimeOffset At, long MessageSeq)
    {
        public static Entry Of(RoomEvent roomEvent) => new(roomEvent.Seq, roomEvent.Kind, roomEvent.At, roomEvent.Message.Seq);
    }

    /// <param name="State">The message as it now stands.</param>
    /// <param name="NewestSeq">The newest event that names the message: it is forgotten when that one leaves the window.</param>
    private readonly record struct Body(ChatMessage State, long NewestSeq);
}
