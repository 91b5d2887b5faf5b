using System.ComponentModel.DataAnnotations;

namespace OrleansChat;

/// <summary><c>Chat:Durability</c>: what must hold before a stored post is acknowledged.</summary>
public sealed class ChatDurabilityOptions
{
    public const string SectionName = "Chat:Durability";

    /// <summary>
    /// Replicas of the Redis primary that must confirm an append (Redis <c>WAIT</c>) before its posts are
    /// acknowledged; 0: the primary's reply suffices.
    /// </summary>
    [Range(0, 5)]
    public int Replicas { get; set; }

    /// <summary>How long an append waits for them; after that its posts fail (503) and their clients retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:04")]
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
