namespace OrleansChat;

/// <summary>
/// The retained tail of a room in memory: consecutive seqs in a ring, so a seq maps to its slot by arithmetic
/// and appending past capacity drops the oldest in O(1).
/// </summary>
internal sealed class RoomWindow
{
    private readonly ChatMessage[] _ring;
    private int _start;
    private int _count;

    public RoomWindow(int capacity, long lastSeq, IReadOnlyList<ChatMessage> recent)
    {
        _ring = new ChatMessage[capacity];
        LastSeq = lastSeq;
        foreach (var message in recent.Skip(Math.Max(0, recent.Count - capacity)))
        {
            _ring[_count++] = message;
        }
    }

    public long LastSeq { get; private set; }

    /// <summary>The oldest retained seq, or <c>LastSeq + 1</c> when nothing is retained.</summary>
    public long FirstSeq => _count == 0 ? LastSeq + 1 : _ring[_start].Seq;

    /// <summary>Appends the next message; returns the message it pushed out, if the window was full.</summary>
    public ChatMessage? Append(ChatMessage message)
    {
        if (message.Seq != LastSeq + 1)
        {
            throw new InvalidOperationException($"Seq {message.Seq} does not follow {LastSeq}.");
        }

        LastSeq = message.Seq;
        if (_count < _ring.Length)
        {
            _ring[(_start + _count++) % _ring.Length] = message;
            return null;
        }

        var evicted = _ring[_start];
        _ring[_start] = message;
        _start = (_start + 1) % _ring.Length;
        return evicted;
    }

    /// <summary>Drops the oldest messages as long as <paramref name="expired"/> holds for them; returns what it dropped.</summary>
    public List<ChatMessage> DropOldestWhile(Func<ChatMessage, bool> expired)
    {
        var dropped = new List<ChatMessage>();
        while (_count > 0 && expired(_ring[_start]))
        {
            dropped.Add(_ring[_start]);
            _ring[_start] = null!;
            _start = (_start + 1) % _ring.Length;
            _count--;
        }

        return dropped;
    }

    public ChatMessage Get(long seq) => _ring[(_start + (int)(seq - FirstSeq)) % _ring.Length];

    /// <summary>Messages with <paramref name="fromSeq"/> ≤ seq ≤ <paramref name="toSeq"/>, clipped to what is retained.</summary>
    public ChatMessage[] Range(long fromSeq, long toSeq)
    {
        fromSeq = Math.Max(fromSeq, FirstSeq);
        toSeq = Math.Min(toSeq, LastSeq);
        if (toSeq < fromSeq)
        {
            return [];
        }

        var result = new ChatMessage[toSeq - fromSeq + 1];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Get(fromSeq + i);
        }

        return result;
    }

    public IEnumerable<ChatMessage> All() => Range(FirstSeq, LastSeq);
}
