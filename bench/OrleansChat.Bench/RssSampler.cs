namespace OrleansChat.Bench;

/// <summary>Samples VmRSS (and reads VmHWM) of server processes from <c>/proc/PID/status</c>.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly int[] _pids;
    private readonly long[] _peakSampledKb;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(IReadOnlyList<int> pids, TimeSpan period)
    {
        _pids = [.. pids];
        _peakSampledKb = new long[_pids.Length];
        _loop = _pids.Length == 0 ? Task.CompletedTask : LoopAsync(period);
    }

    /// <summary>Current VmRSS of every PID, summed (KiB); null without PIDs.</summary>
    public long? CurrentKb() => _pids.Length == 0 ? null : _pids.Sum(pid => Read(pid, "VmRSS:") ?? 0);

    /// <summary>The kernel's high-water mark (VmHWM) of every PID, summed (KiB).</summary>
    public long? HighWaterKb() => _pids.Length == 0 ? null : _pids.Sum(pid => Read(pid, "VmHWM:") ?? 0);

    public long? PeakSampledKb()
    {
        lock (_peakSampledKb)
        {
            return _pids.Length == 0 ? null : _peakSampledKb.Sum();
        }
    }

    public IReadOnlyList<int> Pids => _pids;

    /// <summary>CPU seconds (user + system) the PIDs have used so far, summed; null without PIDs.</summary>
    public double? CpuSeconds()
    {
        if (_pids.Length == 0)
        {
            return null;
        }

        return ProcStat.CpuSeconds(_pids);
    }

    /// <summary>The 1-minute load average of the machine (how busy the shared machine was).</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text[..text.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static long? Read(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var digits = line.AsSpan(field.Length).Trim();
                    var space = digits.IndexOf(' ');
                    return long.Parse(space < 0 ? digits : digits[..space], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan period)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            do
            {
                lock (_peakSampledKb)
                {
                    for (var i = 0; i < _pids.Length; i++)
                    {
                        _peakSampledKb[i] = Math.Max(_peakSampledKb[i], Read(_pids[i], "VmRSS:") ?? 0);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
