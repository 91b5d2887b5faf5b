using static OrleansChat.Bench.OptionArgs;

namespace OrleansChat.Bench;

/// <summary>Options of <c>presence</c>: <c>--name value</c> or <c>--name=value</c>.</summary>
internal sealed class PresenceStormOptions
{
    public const string Usage = """
        presence options (the node-kill storm of issue 11; every user has a dev token, so the nodes need
        Chat:Auth:DevTokens on, as cluster.sh's are):
          --url URL,URL[,...]       the API nodes; users are spread over them, each user's tabs on one node
                                    except one tab of every other pair of users (default
                                    http://127.0.0.1:8081,http://127.0.0.1:8082)
          --reconnect-url URL       where a tab whose stream broke reconnects, e.g. nginx (default: the next --url)
          --rooms N                 rooms (default 100)
          --users N                 users, spread evenly over the rooms (default 2000)
          --tabs N                  ?presence=true streams per user (default 5)
          --kill CMD                shell command that kills the first --url's node when the storm starts
                                    (e.g. "deploy/local/cluster.sh kill api1"); without it nothing is killed
          --hold S                  quiet seconds measured before the kill, once everyone is listed (default 5)
          --observe S               seconds watched after the kill: past the dead node's lease and the grace, so a
                                    spurious leave would show (default 45)
          --connect-concurrency N   streams opened at once in the connect phase (default 256)
          --role NAME=PID[,PID...]  (repeatable) processes whose CPU is reported per phase
          --json FILE               append the run's JSON object to FILE (it is always printed on stdout)
          --progress S              seconds between progress lines on stderr (default 2; 0 = off)
          --room-prefix P           room and user id prefix (default: a fresh random one)
        """;

    public List<Uri> Urls { get; } = [];

    public Uri? ReconnectUrl { get; private set; }

    public int Rooms { get; private set; } = 100;

    public int Users { get; private set; } = 2000;

    public int Tabs { get; private set; } = 5;

    public string? Kill { get; private set; }

    public double Hold { get; private set; } = 5;

    public double Observe { get; private set; } = 45;

    public int ConnectConcurrency { get; private set; } = 256;

    public List<(string Name, int[] Pids)> Roles { get; } = [];

    public string? JsonFile { get; private set; }

    public double Progress { get; private set; } = 2;

    public string Prefix { get; private set; } = $"presence-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The node a tab reconnects to after its stream broke on <paramref name="home"/>.</summary>
    public Uri FallbackFor(Uri home) =>
        ReconnectUrl ?? Urls[(Urls.IndexOf(home) + 1) % Urls.Count];

    public static PresenceStormOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PresenceStormOptions();
        OptionArgs.Read(args, options.Set);

        if (options.Urls.Count == 0)
        {
            options.Urls.AddRange([new Uri("http://127.0.0.1:8081/"), new Uri("http://127.0.0.1:8082/")]);
        }

        if (options.Urls.Count < 2 && options.ReconnectUrl is null)
        {
            throw new ArgumentException("presence needs two --url nodes, or a --reconnect-url, for the killed node's tabs to go to.");
        }

        if (options.Rooms < 1 || options.Users < options.Rooms || options.Tabs < 1)
        {
            throw new ArgumentException("--rooms and --tabs must be ≥ 1, and --users ≥ --rooms.");
        }

        return options;
    }

    private void Set(string name, string value)
    {
        switch (name)
        {
            case "url":
            case "urls":
                Urls.AddRange(UrlList(value));
                break;
            case "reconnect-url": ReconnectUrl = Url(value); break;
            case "rooms": Rooms = Int(value); break;
            case "users": Users = Int(value); break;
            case "tabs": Tabs = Int(value); break;
            case "kill": Kill = value; break;
            case "hold": Hold = Double(value); break;
            case "observe": Observe = Double(value); break;
            case "connect-concurrency": ConnectConcurrency = Math.Max(1, Int(value)); break;
            case "role": Roles.Add(Role(value)); break;
            case "json": JsonFile = value; break;
            case "progress": Progress = Double(value); break;
            case "room-prefix": Prefix = value; break;
            default: throw new ArgumentException($"Unknown option --{name}.");
        }
    }
}
