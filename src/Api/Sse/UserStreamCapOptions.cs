using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Sse;

/// <summary>The per-user stream cap of <c>Chat:Auth</c>.</summary>
public sealed class UserStreamCapOptions
{
    public const string SectionName = "Chat:Auth";

    /// <summary>Open event streams one user may hold across the whole cluster; more are answered 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreamsPerUser { get; set; } = 32;
}
