namespace OrleansChat.Api.Events;

/// <summary>A page of a room's history as frames: chat frames after some seq, in seq order, and where the room stands.</summary>
internal sealed record RoomPage(long LastSeq, long FirstRetainedSeq, IReadOnlyList<ChatFrame> Frames);

/// <summary>Where a reader gets the room's history from, a page at a time.</summary>
internal interface IRoomPages
{
    /// <summary>The oldest retained events after <paramref name="seq"/>, at most a page of them.</summary>
    Task<RoomPage> ReadAfterAsync(long seq);
}

/// <summary>
/// What one reader of a room (a client's event stream, or a node's feed) has written, and what comes next: the one
/// owner of the rule that each seq is written once, in order, with what the room no longer holds announced as a
/// gap and a room that is behind the reader announced as a reset.
/// </summary>
internal sealed class RoomCursor(string roomId, long position)
{
    /// <summary>The last seq this reader has written or passed.</summary>
    public long Position { get; private set; } = position;

    /// <summary>True when events from <paramref name="seq"/> on leave no hole after <see cref="Position"/>.</summary>
    public bool Continues(long seq) => seq <= Position + 1;

    /// <summary>The bytes of <paramref name="frame"/> this reader has yet to write (empty when none), and moves past them.</summary>
    public ReadOnlyMemory<byte> Admit(SseFrame frame)
    {
        switch (frame)
        {
            case SeqFrame events:
                var unwritten = events.After(Position);
                Position = Math.Max(Position, events.LastSeq);
                return unwritten;
            case GapFrame gap when gap.To <= Position:
                return ReadOnlyMemory<byte>.Empty;
            case GapFrame gap:
                Position = gap.To;
                return gap.Bytes;
            case ResetFrame reset:
                Position = reset.LastSeq;
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
    /// room has nothing more, and yields per page the frames to write, already admitted.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<SseFrame>> CatchUpAsync(IRoomPages pages, long target)
    {
        while (true)
        {
            var start = Position;
            var page = await pages.ReadAfterAsync(Position);
            var frames = new List<SseFrame>(page.Frames.Count + 1);
            if (Position > page.LastSeq)
            {
                var reset = ResetFrame.Of(roomId, page.LastSeq);
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
