using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Hosting;

public enum ClusteringKind
{
    /// <summary>Loopback only: a primary silo holds the membership table.</summary>
    Localhost,

    /// <summary>Membership in Redis (<c>ConnectionStrings:Redis</c>).</summary>
    Redis,
}

/// <summary><c>Orleans</c>: how silos and API nodes find each other.</summary>
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

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Redis clustering: the address, or a host name resolved at start, under which the other silos and the clients
    /// reach this silo (a container's service name in compose).
    /// </summary>
    [Required]
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>Localhost clustering: the silo port of the silo that keeps the membership table.</summary>
    [Range(1, 65535)]
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>Localhost clustering, API nodes in client mode: the gateways to connect to.</summary>
    public int[] GatewayPorts { get; set; } = [30000];
}
