using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>A throwaway redis-server on a free loopback port, without persistence.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    public ConfigurationOptions Configuration { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Configuration = ConfigurationOptions.Parse($"127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}");
        }

        var port = ((IPEndPoint)Configuration.EndPoints[0]).Port;
        _process = Process.Start(new ProcessStartInfo("redis-server", ["--bind", "127.0.0.1", "--port", $"{port}", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync(Configuration.Clone());
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
