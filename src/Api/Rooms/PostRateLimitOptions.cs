using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Rooms;

/// <summary><c>Chat:RateLimit</c>: posts per client address.</summary>
public sealed class PostRateLimitOptions
{
    public const string SectionName = "Chat:RateLimit";

    /// <summary>Sustained posts per second per client address; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int PostsPerSecond { get; set; } = 20;

    /// <summary>Posts a client may send at once above the sustained rate.</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 40;
}
