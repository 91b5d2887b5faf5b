namespace OrleansChat.Hosting;

/// <summary><c>Orleans</c>, the keys only a cluster client (an API node in client mode) reads.</summary>
public sealed class ChatClientOptions
{
    public const string SectionName = ChatClusterOptions.SectionName;

    /// <summary>Localhost clustering: the gateways to connect to.</summary>
    public int[] GatewayPorts { get; set; } = [30000];
}
