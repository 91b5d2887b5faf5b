namespace OrleansChat.Bench;

/// <summary>
/// The seqs one connection received, as a bitmap: each once and in order, or counted as a duplicate or out of order;
/// and the ranges an <c>event: gap</c> announced as gone from history.
/// </summary>
/// <remarks>Written only by its connection's reader task; the progress reader tolerates stale values, so no locking.</remarks>
internal sealed class SeqLedger
{
    private readonly List<(long From, long To)> _gapped = [];
    private ulong[] _seen = new ulong[4];

    /// <summary>The highest seq received, or the end of the last gap when that is higher.</summary>
    public long LastSeq { get; private set; }

    public long Unique { get; private set; }

    public long Duplicates { get; private set; }

    public long OutOfOrder { get; private set; }

    /// <summary><c>event: gap</c> frames received.</summary>
    public long Gaps { get; private set; }

    public string GapRanges => string.Join(",", _gapped.Take(10).Select(g => $"{g.From}..{g.To}"));

    public bool HasSeq(long seq)
    {
        var word = (int)(seq >> 6);
        return word < _seen.Length && (_seen[word] & (1UL << (int)(seq & 63))) != 0;
    }

    /// <summary>Whether an <c>event: gap</c> told this connection that <paramref name="seq"/> is gone from history.</summary>
    public bool IsGapped(long seq) => _gapped.Exists(g => g.From <= seq && seq <= g.To);

    /// <summary>Records <paramref name="seq"/>; false when it had been received already (a duplicate).</summary>
    public bool Receive(long seq)
    {
        if (HasSeq(seq))
        {
            Duplicates++;
            return false;
        }

        var word = (int)(seq >> 6);
        if (word >= _seen.Length)
        {
            Array.Resize(ref _seen, Math.Max(word + 1, _seen.Length * 2));
        }

        _seen[word] |= 1UL << (int)(seq & 63);
        Unique++;
        if (seq < LastSeq)
        {
            OutOfOrder++;
        }
        else
        {
            LastSeq = seq;
        }

        return true;
    }

    /// <summary>An <c>event: gap</c> for <paramref name="from"/> … <paramref name="to"/>; a malformed one is only counted.</summary>
    public void Gap(long from, long to)
    {
        Gaps++;
        if (from > 0 && to >= from)
        {
            _gapped.Add((from, to));
            LastSeq = Math.Max(LastSeq, to);
        }
    }
}
