using System.Buffers.Text;
using System.Text;

namespace OrleansChat.Bench;

/// <summary>The kinds of room stream frame the load generator tells apart.</summary>
internal enum SseEventKind
{
    None,
    Chat,
    Edit,
    Delete,
    Gap,
    Reset,
    Other,
}

/// <summary>
/// Parses one room stream's SSE lines in place into the fields of the frame being read, one frame at a time: the seq
/// (and epoch) of the <c>id:</c> line, the <c>event:</c> type, and from the <c>data:</c> line the post timestamp
/// (the first digits of <c>"text":"</c>) or a gap's range; and, when <see cref="ReadMessages"/> is on, the message the
/// frame shows as it now stands (<c>chat</c>, <c>edit</c> and <c>delete</c> alike), in <see cref="MessageStates"/> form.
/// </summary>
/// <remarks>
/// Hand-rolled rather than <c>SseParser</c>: the generator shares two cores with the server and has to swallow ~100k
/// events/s, and <c>SseParser</c> allocates an <c>SseItem</c> with its event type string and data per event. Here
/// nothing is allocated per event (the epoch only when it changes).
/// </remarks>
internal sealed class SseEventParser
{
    private static readonly byte[] TextMarker = "\"text\":\""u8.ToArray();
    private static readonly byte[] FromMarker = "\"from\":"u8.ToArray();
    private static readonly byte[] ToMarker = "\"to\":"u8.ToArray();
    private static readonly byte[] SeqMarker = "\"seq\":"u8.ToArray();
    private static readonly byte[] EditedMarker = "\"editedAt\":"u8.ToArray();
    private static readonly byte[] DeletedMarker = "\"deleted\":true"u8.ToArray();
    private byte[] _epoch = [];

    public SseEventKind Kind { get; private set; }

    /// <summary>The seq of the frame's <c>id:</c>, or 0.</summary>
    public long Id { get; private set; }

    /// <summary>The stopwatch timestamp at the start of the message's text (when its post was due), or 0.</summary>
    public long PostTicks { get; private set; }

    public long GapFrom { get; private set; }

    public long GapTo { get; private set; }

    /// <summary>Whether <see cref="MessageSeq"/> and <see cref="MessageState"/> are read (the edits mix's final check).</summary>
    public bool ReadMessages { get; set; }

    /// <summary>The seq of the message a <c>chat</c>, <c>edit</c> or <c>delete</c> frame shows (<c>data.seq</c>), or 0.</summary>
    public long MessageSeq { get; private set; }

    /// <summary>That message as it now stands, in <see cref="MessageStates"/> form.</summary>
    public ulong MessageState { get; private set; }

    /// <summary>The epoch of the last <c>id:</c> seen (empty for a bare <c>{seq}</c>), for resuming.</summary>
    public string Epoch => Encoding.ASCII.GetString(_epoch);

    public bool HasEpoch => _epoch.Length != 0;

    /// <summary>
    /// Takes one line (without its <c>\n</c>); true when it was the blank line that ends a frame: the frame's fields
    /// are then complete, and <see cref="Clear"/> must be called before the next line.
    /// </summary>
    public bool Line(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.IsEmpty)
        {
            return true;
        }

        if (line.StartsWith("id:"u8))
        {
            // `{seq}` (v1) or `{seq}-{epoch}` (v2): the epoch is kept (allocated only when it changes) for resuming.
            var id = line[3..].TrimStart((byte)' ');
            _ = Utf8Parser.TryParse(id, out long seq, out var digits);
            Id = seq;
            ReadOnlySpan<byte> epoch = digits < id.Length && id[digits] == (byte)'-' ? id[(digits + 1)..] : [];
            if (!epoch.SequenceEqual(_epoch))
            {
                _epoch = epoch.ToArray();
            }
        }
        else if (line.StartsWith("event:"u8))
        {
            var type = line[6..].TrimStart((byte)' ');
            Kind = type.SequenceEqual("chat"u8) ? SseEventKind.Chat
                : type.SequenceEqual("edit"u8) ? SseEventKind.Edit
                : type.SequenceEqual("delete"u8) ? SseEventKind.Delete
                : type.SequenceEqual("gap"u8) ? SseEventKind.Gap
                : type.SequenceEqual("reset"u8) ? SseEventKind.Reset
                : SseEventKind.Other;
        }
        else if (line.StartsWith("data:"u8))
        {
            Data(line);
        }

        return false;
    }

    /// <summary>Forgets the frame just read; the epoch stays.</summary>
    public void Clear()
    {
        Kind = SseEventKind.None;
        Id = PostTicks = GapFrom = GapTo = MessageSeq = 0;
        MessageState = 0;
    }

    private void Data(ReadOnlySpan<byte> line)
    {
        if (Kind == SseEventKind.Gap)
        {
            GapFrom = NumberAfter(line, FromMarker);
            GapTo = NumberAfter(line, ToMarker);
            return;
        }

        PostTicks = NumberAfter(line, TextMarker);
        if (ReadMessages && Kind is SseEventKind.Chat or SseEventKind.Edit or SseEventKind.Delete)
        {
            MessageSeq = NumberAfter(line, SeqMarker);
            MessageState = Message(line);
        }
    }

    /// <summary>
    /// A frame's message as <see cref="MessageStates"/> keeps it. JSON escapes every quote inside a string, so the first
    /// unescaped <c>"seq":</c>, <c>"editedAt":</c> or <c>"deleted":true</c> is the property, never a message's text;
    /// the text is hashed up to its closing quote, as the generator's texts hold no escaped one.
    /// </summary>
    private static ulong Message(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf(DeletedMarker) >= 0)
        {
            return MessageStates.Deleted;
        }

        var at = line.IndexOf(TextMarker);
        if (at < 0)
        {
            return 0;
        }

        var text = line[(at + TextMarker.Length)..];
        var end = text.IndexOf((byte)'"');
        var hash = MessageStates.HashText(end < 0 ? text : text[..end]);
        return line.IndexOf(EditedMarker) >= 0 ? MessageStates.Edited(hash) : MessageStates.AsPosted(hash);
    }

    /// <summary>The digits right after the first <paramref name="marker"/> in <paramref name="line"/>, or 0.</summary>
    private static long NumberAfter(ReadOnlySpan<byte> line, ReadOnlySpan<byte> marker)
    {
        var at = line.IndexOf(marker);
        return at >= 0 && Utf8Parser.TryParse(line[(at + marker.Length)..], out long value, out _) ? value : 0;
    }
}
