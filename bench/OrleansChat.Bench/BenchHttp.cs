using System.Net;

namespace OrleansChat.Bench;

/// <summary>The generator's HTTP clients: no proxy, no decompression, no cap on connections to one server.</summary>
internal static class BenchHttp
{
    public static HttpClient Client(TimeSpan timeout) => new(Handler()) { Timeout = timeout };

    private static SocketsHttpHandler Handler() => new()
    {
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        EnableMultipleHttp2Connections = false,
    };
}
