using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Hosting;

/// <summary><c>Orleans</c>, the keys only a silo reads: where it listens and how the others reach it.</summary>
public sealed class ChatSiloOptions
{
    public const string SectionName = ChatClusterOptions.SectionName;

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
}
