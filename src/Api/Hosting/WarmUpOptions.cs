using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Hosting;

/// <summary><c>Chat:WarmUp</c>: the fan-out an embedded node runs through itself before it reports ready.</summary>
public sealed class WarmUpOptions
{
    public const string SectionName = "Chat:WarmUp";

    /// <summary>Posts into the warm-up room per round; 0 turns the warm-up off.</summary>
    [Range(0, 100_000)]
    public int Posts { get; set; } = 400;

    /// <summary>
    /// Posts per round through the node's own HTTP endpoint after the in-process ones (<see cref="HttpWarmUp"/>; only in
    /// <c>Development</c> auth mode); 0 turns this half off.
    /// </summary>
    [Range(0, 100_000)]
    public int HttpPosts { get; set; } = 200;

    /// <summary>In-process event streams of the warm-up room, each written every post.</summary>
    [Range(1, 256)]
    public int Streams { get; set; } = 4;

    /// <summary>The warm-up ends after a round in which the JIT compiled no more methods than this.</summary>
    [Range(0, 100_000)]
    public int QuietMethods { get; set; } = 20;

    /// <summary>The most rounds the warm-up runs, quiet or not.</summary>
    [Range(1, 100)]
    public int MaxRounds { get; set; } = 10;

    /// <summary>The longest the warm-up may hold readiness back; the node is ready then, warmed or not.</summary>
    [Range(0.1, 600)]
    public double MaxSeconds { get; set; } = 10;
}
