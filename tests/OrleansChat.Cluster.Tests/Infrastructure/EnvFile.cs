namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// An env file in the format deploy/cluster.env sets out for all its readers: <c>KEY=VALUE</c> lines, <c>#</c>
/// comment lines and blank lines, the value taken literally.
/// </summary>
public static class EnvFile
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=');
            if (equals <= 0)
            {
                throw new FormatException($"{path}: not a KEY=VALUE line: '{line}'");
            }

            values[line[..equals]] = line[(equals + 1)..];
        }

        return values;
    }
}
