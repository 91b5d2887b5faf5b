using System.Diagnostics;

namespace OrleansChat.Bench;

/// <summary>Timestamped lines on stderr: what the run is doing, and every few seconds how far a phase has got.</summary>
internal sealed class ProgressLog(double periodSeconds)
{
    public static void Log(string message) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");

    /// <summary>Logs <paramref name="status"/> every period until the returned handle is disposed; nothing when off.</summary>
    public IDisposable Start(string phase, Func<string> status, CancellationToken cancellationToken)
    {
        if (periodSeconds <= 0)
        {
            return new CancellationTokenSource();
        }

        var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(periodSeconds));
            try
            {
                while (await timer.WaitForNextTickAsync(done.Token))
                {
                    Log($"[{phase} {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s] {status()}");
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        return new Stopper(done);
    }

    private sealed class Stopper(CancellationTokenSource source) : IDisposable
    {
        public void Dispose()
        {
            source.Cancel();
            source.Dispose();
        }
    }
}
