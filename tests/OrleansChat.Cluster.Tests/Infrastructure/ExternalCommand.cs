using System.Diagnostics;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>What a command-line tool answered: its exit code and both of its outputs, read to the end.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output, string Errors)
{
    /// <summary>The result, or the tool's own words as the failure when it did not exit with 0.</summary>
    public CommandResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"{Command} exited with {ExitCode}:\n{Output}{Errors}");
}

/// <summary>
/// Runs the scripts and tools the cluster tests drive (cluster.sh, docker, docker-compose, promtool) to their end, and
/// kills a run that outlives its deadline with its whole process tree, so a hung tool fails its test instead of CI.
/// </summary>
internal static class ExternalCommand
{
    public static async Task<CommandResult> RunAsync(
        string file,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = LocalCluster.RepositoryRoot,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var command = $"{Path.GetFileName(file)} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds:0} s.\n{await errors}");
        }

        return new CommandResult(command, process.ExitCode, await output, await errors);
    }
}
