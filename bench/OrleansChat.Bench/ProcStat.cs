using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>A process's CPU time and age from <c>/proc/PID/stat</c>.</summary>
internal static class ProcStat
{
    // Clock ticks per second of /proc/PID/stat (USER_HZ); 100 on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds (user + system) the process has used so far; 0 when it is gone.</summary>
    public static double CpuSeconds(int pid) =>
        Fields(pid) is { } fields ? (Long(fields[11]) + Long(fields[12])) / TicksPerSecond : 0;

    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(CpuSeconds);

    /// <summary>Seconds since the process started (its start time against the machine's uptime), or null.</summary>
    public static double? AgeSeconds(int pid)
    {
        try
        {
            var uptime = File.ReadAllText("/proc/uptime");
            return Fields(pid) is { } fields
                ? double.Parse(uptime[..uptime.IndexOf(' ')], CultureInfo.InvariantCulture) - Long(fields[19]) / TicksPerSecond
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The fields after the command (which may contain spaces), so field n of proc(5) is at n − 3.</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long Long(string value) => long.Parse(value, CultureInfo.InvariantCulture);
}
