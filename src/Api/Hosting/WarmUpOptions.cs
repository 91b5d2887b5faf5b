using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Hosting;

/// <summary><c>Chat:WarmUp</c>: the fan-out an embedded node runs through itself before it reports ready.</summary>
public sealed class WarmUpOptions
{
    public const string SectionName = "Chat:WarmUp";

    /// <summary>Posts into the warm-up room; 0 turns the warm-up off.</summary>
    [Range(0, 100_000)]
    public int Posts { get; set; } = 400;

    /// <summary>In-process event streams of the warm-up room, each written every post.</summary>
    [Range(1, 256)]
    public int Streams { get; set; } = 4;

    /// <summary>The longest the warm-up may hold readiness back; the node is ready then, warmed or not.</summary>
    [Range(0.1, 600)]
    public double MaxSeconds { get; set; } = 10;
}
