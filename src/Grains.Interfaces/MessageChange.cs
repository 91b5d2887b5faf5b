namespace OrleansChat;

/// <summary>A validated request to give message <see cref="Seq"/> a new text, on behalf of <see cref="ActorId"/>.</summary>
[GenerateSerializer, Immutable, Alias("chat.edit")]
public sealed record EditMessage(
    [property: Id(0)] long Seq,
    [property: Id(1)] string ActorId,
    [property: Id(2)] string Text);

/// <summary>
/// A request to delete message <see cref="Seq"/> on behalf of <see cref="ActorId"/>; <see cref="Moderator"/> when the
/// API node found that the actor may delete other users' messages in this room.
/// </summary>
[GenerateSerializer, Immutable, Alias("chat.delete")]
public sealed record DeleteMessage(
    [property: Id(0)] long Seq,
    [property: Id(1)] string ActorId,
    [property: Id(2)] bool Moderator);

public enum ChangeOutcome
{
    /// <summary>Stored as a new event; the message is as it now stands.</summary>
    Changed,

    /// <summary>Nothing to do (a tombstone deleted again); the message is as it stands.</summary>
    Unchanged,

    /// <summary>No such retained message, or (for an edit) a tombstone.</summary>
    NotFound,

    /// <summary>The actor may not change this message.</summary>
    Forbidden,
}

/// <summary>What became of an edit or a deletion; <see cref="Message"/> is set unless nothing was found.</summary>
[GenerateSerializer, Immutable, Alias("chat.change-result")]
public sealed record ChangeResult(
    [property: Id(0)] ChangeOutcome Outcome,
    [property: Id(1)] ChatMessage? Message);
