namespace OrleansChat.Bench;

/// <summary>
/// A room's messages as they stand, by message seq, each as one <see cref="ulong"/>: 0 for none, else a hash of the
/// text with the low two bits saying whether it is as posted (1), edited (2) or deleted (3, no text). Subscribers,
/// the generator's own acknowledgements and the room's history are each put in this form and compared seq by seq.
/// </summary>
/// <remarks>Not thread-safe: each subscriber writes its own from its reader task; shared ones are locked by their owner.</remarks>
internal sealed class MessageStates
{
    public const ulong Deleted = 3;
    private const ulong StateBits = 3;
    private ulong[] _states = new ulong[64];

    /// <summary>The highest seq that was ever set.</summary>
    public long MaxSeq { get; private set; }

    public static ulong AsPosted(ulong textHash) => (textHash & ~StateBits) | 1;

    public static ulong Edited(ulong textHash) => (textHash & ~StateBits) | 2;

    public static bool IsEdited(ulong state) => (state & StateBits) == 2;

    /// <summary>FNV-1a of the text as it appears between the quotes of its JSON string (the generator's texts need no escapes).</summary>
    public static ulong HashText(ReadOnlySpan<byte> text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in text)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    public static string Describe(ulong state) => (state & StateBits) switch
    {
        0 => "no message",
        1 => $"as posted (text {state >> 2:x})",
        2 => $"edited (text {state >> 2:x})",
        _ => "deleted",
    };

    public ulong At(long seq) => seq < _states.Length ? _states[seq] : 0;

    public void Set(long seq, ulong state)
    {
        if (seq >= _states.Length)
        {
            Array.Resize(ref _states, (int)Math.Max(seq + 1, _states.Length * 2L));
        }

        _states[seq] = state;
        MaxSeq = Math.Max(MaxSeq, seq);
    }
}
