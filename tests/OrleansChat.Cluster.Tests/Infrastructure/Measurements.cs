using Xunit.Abstractions;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>Failover figures: in the test output and appended to the cluster's log folder, to be read after a run.</summary>
internal static class Measurements
{
    public static void Record(ITestOutputHelper? output, string line)
    {
        var stamped = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {line}";
        output?.WriteLine(stamped);
        Directory.CreateDirectory(LocalCluster.LogDirectory);
        File.AppendAllText(Path.Combine(LocalCluster.LogDirectory, "measurements.log"), stamped + Environment.NewLine);
    }
}
