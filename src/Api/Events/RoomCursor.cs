namespace OrleansChat.Api.Events;

/// <summary>
/// A page of a room's history as frames: events after some seq, in seq order, and where the room stands. The frames
/// are of <see cref="Epoch"/>, the room's log when the page was read (null while the log is empty).
/// </summary>
internal sealed record RoomPage(long LastSeq, long FirstRetainedSeq, string? Epoch, IReadOnlyList<ChatFrame> Frames);

/// <summary>Where a reader gets the room's history from, a page at a time.</summary>
internal interface IRoomPages
{
    /// <summary>
    /// The oldest retained events after <paramref name="seq"/>, at most a page of them; <paramref name="epoch"/> is the
    /// log the reader's seq belongs to (null when the reader does not know), for the page to tell whether it is the room's.
    /// </summary>
    Task<RoomPage> ReadAfterAsync(string? epoch, long seq);
}

/// <summary>
/// What one reader of a room (a client's event stream, or a node's feed) has written, and what comes next: the one
/// owner of the rule that each seq of the room's log is written once, in order, with what the room no longer holds
/// announced as a gap, and a room that is behind the reader or on another log (epoch) announced as a reset.
/// </summary>
internal sealed class RoomCursor(string roomId, long position, string? epoch)
{
    /// <summary>The last seq this reader has written or passed.</summary>
    public long Position { get; private set; } = position;

    /// <summary>The log <see cref="Position"/> is in; null until the reader has seen the room's log.</summary>
    public string? Epoch { get; private set; } = epoch;

    /// <summary>True when events of <paramref name="epoch"/> from <paramref name="seq"/> on leave no hole after <see cref="Position"/>.</summary>
    public bool Continues(string epoch, long seq) => (Epoch ?? epoch) == epoch && seq <= Position + 1;

    /// <summary>The bytes of <paramref name="frame"/> this reader has yet to write (empty when none), and moves past them.</summary>
    public ReadOnlyMemory<byte> Admit(SseFrame frame)
    {
        switch (frame)
        {
            case SeqFrame events:
                Epoch ??= events.Epoch;
                if (events.Epoch != Epoch)
                {
                    // Of a log this reader has left (or not yet been reset to): its seqs mean other events.
                    return ReadOnlyMemory<byte>.Empty;
                }

                var unwritten = events.After(Position);
                Position = Math.Max(Position, events.LastSeq);
                return unwritten;
            case GapFrame gap when gap.To <= Position:
                return ReadOnlyMemory<byte>.Empty;
            case GapFrame gap:
                Position = gap.To;
                return gap.Bytes;
            case ResetFrame reset when reset.Epoch == Epoch && (reset.EpochChanged || reset.LastSeq >= Position):
                // Already on that log, and not ahead of it: nothing this reader wrote is undone.
                return ReadOnlyMemory<byte>.Empty;
            case ResetFrame reset:
                Position = reset.LastSeq;
                Epoch = reset.Epoch;
                return reset.Bytes;
            case ControlFrame or ExpiredFrame or PresenceFrame:
                // Not a room event: written whatever the reader's position, which it leaves alone.
                return frame.Bytes;
            default:
                throw new ArgumentException($"Unknown frame type {frame.GetType().Name}.", nameof(frame));
        }
    }

    /// <summary>
    /// Reads the room's history from <see cref="Position"/> on, until the reader is at <paramref name="target"/> or the
    /// room has nothing more, and yields per page the frames to write, already admitted. A room on another log than
    /// the reader's gets a reset: with <paramref name="followNewEpoch"/> (a node's feed, whose streams must miss
    /// nothing) to just before the new log's retained events, which follow; otherwise (a client's resume, which
    /// reloads history) to the room's lastSeq, where reading ends.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<SseFrame>> CatchUpAsync(IRoomPages pages, long target, bool followNewEpoch)
    {
        while (true)
        {
            var start = Position;
            var page = await pages.ReadAfterAsync(Epoch, Position);
            var frames = new List<SseFrame>(page.Frames.Count + 1);
            // A room with no epoch beside a reader with one is a log lost too, not yet written again: its first events
            // will be numbered from 1 again, and the reader must be reset before them, not left on the old log.
            if (Epoch is not null && page.Epoch != Epoch)
            {
                var reset = ResetFrame.Of(roomId, followNewEpoch ? page.FirstRetainedSeq - 1 : page.LastSeq, page.Epoch, epochChanged: true);
                Admit(reset);
                frames.Add(reset);
                yield return frames;
                if (followNewEpoch)
                {
                    // The page was read after a seq of the old log: read the new one afresh.
                    continue;
                }

                yield break;
            }

            Epoch ??= page.Epoch;
            if (Position > page.LastSeq)
            {
                var reset = ResetFrame.Of(roomId, page.LastSeq, page.Epoch, epochChanged: false);
                Admit(reset);
                frames.Add(reset);
                yield return frames;
                yield break;
            }

            if (Position < page.FirstRetainedSeq - 1)
            {
                // The page itself may be empty (the reader is more than a page behind the retained history), so the
                // next round reads on from the gap's end.
                var gap = GapFrame.Of(roomId, Position + 1, page.FirstRetainedSeq - 1);
                Admit(gap);
                frames.Add(gap);
            }

            foreach (var frame in page.Frames)
            {
                if (!Admit(frame).IsEmpty)
                {
                    frames.Add(frame);
                }
            }

            yield return frames;
            // Only a round that moves nothing means there is nothing more to read.
            if (Position >= target || Position == start)
            {
                yield break;
            }
        }
    }
}
