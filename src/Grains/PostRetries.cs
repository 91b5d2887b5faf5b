namespace OrleansChat;

/// <summary>
/// Which seq each (user, clientMessageId) of a room's retained messages was stored under, so that a retried post is
/// answered with the original instead of being stored twice.
/// </summary>
internal sealed class PostRetries
{
    private readonly Dictionary<(string UserId, string ClientMessageId), long> _seqByClientId = [];

    public bool TryGet(PostMessage post, out long seq)
    {
        seq = 0;
        return post.ClientMessageId is { } clientMessageId && _seqByClientId.TryGetValue((post.UserId, clientMessageId), out seq);
    }

    public void Remember(ChatMessage message)
    {
        if (message.ClientMessageId is { } clientMessageId)
        {
            _seqByClientId[(message.UserId, clientMessageId)] = message.Seq;
        }
    }

    public void Forget(ChatMessage message)
    {
        if (message.ClientMessageId is { } clientMessageId
            && _seqByClientId.TryGetValue((message.UserId, clientMessageId), out var seq)
            && seq == message.Seq)
        {
            _seqByClientId.Remove((message.UserId, clientMessageId));
        }
    }
}
