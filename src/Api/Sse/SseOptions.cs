using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Sse;

/// <summary><c>Chat:Sse</c>: the event stream of each connection.</summary>
public sealed class SseOptions
{
    public const string SectionName = "Chat:Sse";

    /// <summary>A <c>: keepalive</c> comment is written after this long without any other write.</summary>
    [Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>The <c>retry:</c> hint: how long a browser waits before reconnecting.</summary>
    [Range(0, 600_000)]
    public int RetryMilliseconds { get; set; } = 2000;

    /// <summary>Frames a connection may have waiting; a client further behind is disconnected and resumes from history.</summary>
    [Range(16, 1_000_000)]
    public int ConnectionBufferMessages { get; set; } = 1024;

    /// <summary>Open event streams one node accepts; more are answered 503.</summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Open event streams without an identity from one client address on this node; more are answered 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxAnonymousStreamsPerAddress { get; set; } = 256;

    /// <summary>
    /// How long a user's stream keeps counting toward their cluster-wide cap without a renewal from its node. Nodes
    /// renew every third of it, so a node that died stops counting within this period.
    /// </summary>
    [Range(3, 3600)]
    public int StreamLeaseSeconds { get; set; } = 30;
}
