namespace OrleansChat;

/// <summary>
/// Messages as a room's queued edits and deletions leave them, so that the next change of a message builds on its last
/// queued one, not on the window, which only ever holds what the log acknowledged.
/// </summary>
internal sealed class PendingChanges
{
    private readonly Dictionary<long, ChatMessage> _states = [];

    /// <summary>Message <paramref name="seq"/> as the queued changes leave it, while its own event is retained.</summary>
    public ChatMessage? Current(long seq, RoomWindow window) =>
        _states.TryGetValue(seq, out var pending) ? pending : window.Message(seq);

    public void Queue(ChatMessage changed) => _states[changed.Seq] = changed;

    /// <summary>The log holds this version now, and so does the window, unless a later change of it is still queued.</summary>
    public void Stored(ChatMessage message)
    {
        if (_states.TryGetValue(message.Seq, out var pending) && ReferenceEquals(pending, message))
        {
            _states.Remove(message.Seq);
        }
    }

    /// <summary>The queued changes failed: the window is the truth again.</summary>
    public void Clear() => _states.Clear();
}
