using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Hosting;

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
}

/// <summary><c>Chat:Feed</c>: each node's shared subscription to a room.</summary>
public sealed class RoomFeedOptions
{
    public const string SectionName = "Chat:Feed";

    /// <summary>
    /// How often a feed compares what it delivered with the room's lastSeq. A feed still behind a seq it already
    /// knew of one check earlier has lost its subscription: it catches up from the room and resubscribes.
    /// </summary>
    [Range(0.05, 3600)]
    public double CheckIntervalSeconds { get; set; } = 5;
}

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
