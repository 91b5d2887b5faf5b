using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace OrleansChat.Hosting;

public enum ClusteringKind
{
    /// <summary>Loopback only: a primary silo holds the membership table.</summary>
    Localhost,

    /// <summary>Membership in Redis (<c>ConnectionStrings:Redis</c>).</summary>
    Redis,
}

/// <summary>
/// <c>Orleans</c>: the cluster that silos and API nodes both belong to, and where its membership lives. What only a
/// silo or only a client needs is in <see cref="ChatSiloOptions"/> and <see cref="ChatClientOptions"/>.
/// </summary>
public sealed class ChatClusterOptions
{
    public const string SectionName = "Orleans";

    [Required]
    public string ClusterId { get; set; } = "orleanschat";

    [Required]
    public string ServiceId { get; set; } = "orleanschat";

    /// <summary>
    /// Where membership lives. Not named <c>Clustering</c>: Orleans reads <c>Orleans:Clustering</c> itself, as a
    /// provider section.
    /// </summary>
    public ClusteringKind ClusterProvider { get; set; } = ClusteringKind.Localhost;

    /// <summary>The values in <paramref name="configuration"/>, for wiring (validated on start where they are registered).</summary>
    public static ChatClusterOptions From(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<ChatClusterOptions>() ?? new ChatClusterOptions();
}
