using OrleansChat.Api.Events;

namespace OrleansChat.Api.Feeds;

/// <summary>
/// A room's recently encoded chat frames on this node, a slot per seq modulo its size: live delivery and every
/// replay share one encoding per message, so a herd of clients resuming one backlog does not encode it per client.
/// </summary>
internal sealed class FrameCache
{
    public const int Slots = 1024;

    private readonly ChatFrame?[] _frames = new ChatFrame?[Slots];

    /// <summary>The message's frame, encoded once while it stays in the cache.</summary>
    public ChatFrame Encode(ChatMessage message)
    {
        ref var slot = ref _frames[(int)(message.Seq % Slots)];
        var frame = Volatile.Read(ref slot);
        // Compared by value, not only by seq: after a room reset a seq can name a different message.
        if (frame is null || !Equals(frame.Message, message))
        {
            frame = ChatFrame.Of(message);
            Volatile.Write(ref slot, frame);
        }

        return frame;
    }

    /// <summary>A history page as frames, each encoded once.</summary>
    public RoomPage Encode(HistoryPage page) =>
        new(page.LastSeq, page.FirstRetainedSeq, Array.ConvertAll([.. page.Messages], Encode));

    /// <summary>The frame of <paramref name="seq"/> if this node encoded it recently, else null.</summary>
    public ChatFrame? Find(long seq)
    {
        var frame = Volatile.Read(ref _frames[(int)(seq % Slots)]);
        return frame?.LastSeq == seq ? frame : null;
    }
}
