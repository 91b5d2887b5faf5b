using OrleansChat.Api.Events;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// A room's recently encoded event frames on this node, a slot per seq modulo its size and keyed by (epoch, seq): live
/// delivery and every replay share one encoding per event, so a herd of clients resuming one backlog does not encode
/// it per client. It holds messages as they now stand: an edit or a deletion re-encodes the cached frames of its
/// message, so a deleted text does not outlive the deletion here either.
/// </summary>
internal sealed class FrameCache
{
    public const int Slots = 1024;

    private readonly ChatFrame?[] _frames = new ChatFrame?[Slots];

    // The newest state seen of each recent message (a slot per message seq), so that a page read before a change
    // cannot put the older state back.
    private readonly KnownState?[] _states = new KnownState?[Slots];
    private readonly Lock _lock = new();

    /// <summary>The event's frame, encoded once while it stays in the cache, with its message as it now stands.</summary>
    public ChatFrame Encode(string epoch, RoomEvent roomEvent)
    {
        var frame = Volatile.Read(ref _frames[Slot(roomEvent.Seq)]);
        // Compared by value, not only by seq: another epoch, or a changed message, makes another frame.
        if (frame is not null && frame.Epoch == epoch && Equals(frame.Event, roomEvent))
        {
            return frame;
        }

        lock (_lock)
        {
            var message = Newest(epoch, roomEvent.Message);
            frame = ChatFrame.Of(epoch, roomEvent with { Message = message });
            Volatile.Write(ref _frames[Slot(roomEvent.Seq)], frame);
            return frame;
        }
    }

    /// <summary>An event page as frames, each encoded once.</summary>
    public RoomPage Encode(EventPage page) =>
        new(page.LastSeq, page.FirstRetainedSeq, page.Epoch, [.. page.Events.Select(e => Encode(page.Epoch!, e))]);

    /// <summary>
    /// The frame of <paramref name="seq"/> in <paramref name="epoch"/> (any epoch when null) if this node encoded it
    /// recently, else null.
    /// </summary>
    public ChatFrame? Find(string? epoch, long seq)
    {
        var frame = Volatile.Read(ref _frames[Slot(seq)]);
        return frame is not null && frame.LastSeq == seq && (epoch ?? frame.Epoch) == frame.Epoch ? frame : null;
    }

    private static int Slot(long seq) => (int)(seq % Slots);

    /// <summary>
    /// The newer of <paramref name="message"/> and the state this cache knows; when <paramref name="message"/> is the
    /// newer, it becomes the known state and every cached frame of the message is re-encoded with it.
    /// </summary>
    private ChatMessage Newest(string epoch, ChatMessage message)
    {
        ref var known = ref _states[Slot(message.Seq)];
        if (known is not null && known.Epoch == epoch && known.Message.Seq == message.Seq)
        {
            if (Rank(known.Message) >= Rank(message))
            {
                return known.Message;
            }
        }
        else if (Rank(message) == 0)
        {
            known = new KnownState(epoch, message);
            return message;
        }

        known = new KnownState(epoch, message);
        for (var i = 0; i < Slots; i++)
        {
            if (_frames[i] is { } cached && cached.Epoch == epoch && cached.Event.Message.Seq == message.Seq && !Equals(cached.Event.Message, message))
            {
                Volatile.Write(ref _frames[i], ChatFrame.Of(epoch, cached.Event with { Message = message }));
            }
        }

        return message;
    }

    /// <summary>How far a message has come: as posted, edited (the later the further), deleted.</summary>
    private static long Rank(ChatMessage message) =>
        message.DeletedAt is not null ? long.MaxValue : message.EditedAt?.UtcTicks ?? 0;

    private sealed record KnownState(string Epoch, ChatMessage Message);
}
