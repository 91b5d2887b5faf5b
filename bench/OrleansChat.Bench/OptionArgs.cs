using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>The command-line syntax every sub-command shares: <c>--name value</c> or <c>--name=value</c>.</summary>
internal static class OptionArgs
{
    /// <summary>Calls <paramref name="set"/> with each option's name and value, in order.</summary>
    public static void Read(IReadOnlyList<string> args, Action<string, string> set)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }

            var eq = arg.IndexOf('=');
            if (eq > 0)
            {
                set(arg[2..eq], arg[(eq + 1)..]);
            }
            else if (i + 1 < args.Count)
            {
                set(arg[2..], args[++i]);
            }
            else
            {
                throw new ArgumentException($"{arg} needs a value.");
            }
        }
    }

    public static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    public static double Double(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>A base URL, always ending in '/' so that relative paths resolve under it.</summary>
    public static Uri Url(string value) => new(value.TrimEnd('/') + "/");

    public static IEnumerable<Uri> UrlList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Url);

    /// <summary><c>NAME=PID[,PID...]</c>: processes whose CPU is reported under NAME.</summary>
    public static (string Name, int[] Pids) Role(string value)
    {
        var eq = value.IndexOf('=');
        if (eq <= 0)
        {
            throw new ArgumentException("--role needs NAME=PID[,PID...].");
        }

        return (value[..eq], [.. value[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int)]);
    }
}
