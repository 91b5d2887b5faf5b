using static OrleansChat.Bench.OptionArgs;

namespace OrleansChat.Bench;

/// <summary>Command-line options: <c>--name value</c> or <c>--name=value</c>.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        OrleansChat.Bench — load generator speaking only the public HTTP/SSE contract (docs/api.md).

        run options:
          --url URL[,URL...]        base URLs; connections and posts are spread over them round-robin
                                    (default http://127.0.0.1:5300)
          --scenario NAME           label for the output (default custom)
          --rooms N                 rooms (default 10)
          --subscribers N           SSE connections per room (default 100)
          --rate N                  posts per second over all rooms, sent open-loop: each post when it is due,
                                    whether or not earlier ones were answered; latency counts from the due time.
                                    0 = closed-loop, --posters posting back to back (default 1000)
          --posters N               users the posts are spread over; with --rate 0 the concurrent posters (default 32)
          --duration S              seconds of posting (default 10)
          --message-size N          characters of message text, ≥ 20 (default 100)
          --edits PCT               the edits mix: PATCH PCT % of the acknowledged posts as their author, each
                                    250 ms after its post was due, open-loop like the posts (default 0)
          --deletes PCT             DELETE PCT % of them 500 ms after the post was due, half of them edited ones
                                    first (default 0). With either, each subscriber keeps its view of the room's
                                    messages, checked at the end against the room's history (GET …/messages)
          --backlog N               resume test: post N messages to each room first, then connect every subscriber
                                    at once with Last-Event-ID: 0 and time how long each takes to get its backlog
          --connect-concurrency N   connections opened at once in the connect phase (default 256)
          --hold S                  keep the connections open S seconds after connecting, before posting (default 1)
          --drain-timeout S         after the last post, wait for deliveries until every connection has all its room's
                                    events or none arrived for S seconds (default 15)
          --pids PID[,PID...]       server processes whose RSS (/proc/PID/status) is sampled
          --role NAME=PID[,PID...]  (repeatable) processes whose CPU over the measured phase is reported as NAME
          --metrics URL[,URL...]    Prometheus endpoints (/metrics) whose Orleans grain-call counters are read at the
                                    start and end of the measured phase: grain calls per second
          --idle S                  no posts: after connecting, hold S seconds and measure that (CPU, grain calls)
          --cold S                  the server is freshly started (no warm-up): report the latencies of the posts due
                                    in the first S seconds of posting apart from the rest, and the server's age
                                    (its first --pids process) at the first post
          --json FILE               append the run's JSON object to FILE (it is always printed on stdout)
          --progress S              seconds between progress lines on stderr (default 2; 0 = off)
          --room-prefix P           room id prefix (default: a fresh random one, so rooms start empty)
          --auth none|dev-token     dev-token: every subscriber and poster is a user of its own with a token from
                                    POST /auth/dev-token (fetched before the run); subscribers send it as
                                    access_token, posters as Authorization: Bearer (default none)
          --presence on|off         on: every subscriber asks for presence events too (?presence=true) (default off)

        summarize FILE...           medians (min–max) of the JSON lines in FILE(s): a markdown table per scenario,
                                    a column per target (mode), a row per figure
        """;

    public List<Uri> Urls { get; } = [];

    public string Scenario { get; private set; } = "custom";

    public string Mode { get; private set; } = "";

    public int Rooms { get; private set; } = 10;

    public int Subscribers { get; private set; } = 100;

    public double Rate { get; private set; } = 1000;

    public int Posters { get; private set; } = 32;

    public double Duration { get; private set; } = 10;

    public int MessageSize { get; private set; } = 100;

    public int Backlog { get; private set; }

    /// <summary>Percent of acknowledged posts edited (<c>--edits</c>).</summary>
    public int Edits { get; private set; }

    /// <summary>Percent of acknowledged posts deleted (<c>--deletes</c>).</summary>
    public int Deletes { get; private set; }

    public int ConnectConcurrency { get; private set; } = 256;

    public double Hold { get; private set; } = 1;

    public double DrainTimeout { get; private set; } = 15;

    public List<int> Pids { get; } = [];

    public List<(string Name, int[] Pids)> Roles { get; } = [];

    public List<Uri> MetricsUrls { get; } = [];

    public double Idle { get; private set; }

    public double Cold { get; private set; }

    public string? JsonFile { get; private set; }

    public double Progress { get; private set; } = 2;

    public string RoomPrefix { get; private set; } = $"bench-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Whether each subscriber and poster signs in with a dev token of its own (<c>--auth dev-token</c>).</summary>
    public bool Auth { get; private set; }

    /// <summary>Whether each subscriber asks for the room's presence events (<c>--presence on</c>).</summary>
    public bool Presence { get; private set; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions();
        OptionArgs.Read(args, options.Set);

        if (options.Urls.Count == 0)
        {
            options.Urls.Add(new Uri("http://127.0.0.1:5300"));
        }

        if (options.MessageSize < 20 || options.MessageSize > 4000)
        {
            throw new ArgumentException("--message-size must be 20..4000.");
        }

        if (options.Edits is < 0 or > 100 || options.Deletes is < 0 or > 100)
        {
            throw new ArgumentException("--edits and --deletes must be 0..100 (percent).");
        }

        if (options.Rooms < 1 || options.Subscribers < 0 || options.Posters < 1)
        {
            throw new ArgumentException("--rooms and --posters must be ≥ 1, --subscribers ≥ 0.");
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
            case "scenario": Scenario = value; break;
            case "mode": Mode = value; break;
            case "rooms": Rooms = Int(value); break;
            case "subscribers": Subscribers = Int(value); break;
            case "rate": Rate = Double(value); break;
            case "posters": Posters = Int(value); break;
            case "duration": Duration = Double(value); break;
            case "message-size": MessageSize = Int(value); break;
            case "backlog": Backlog = Int(value); break;
            case "edits": Edits = Int(value); break;
            case "deletes": Deletes = Int(value); break;
            case "connect-concurrency": ConnectConcurrency = Math.Max(1, Int(value)); break;
            case "hold": Hold = Double(value); break;
            case "drain-timeout": DrainTimeout = Double(value); break;
            case "pids":
                foreach (var pid in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    Pids.Add(Int(pid));
                }

                break;
            case "role": Roles.Add(Role(value)); break;
            case "metrics":
                MetricsUrls.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)));
                break;
            case "idle": Idle = Double(value); break;
            case "cold": Cold = Double(value); break;
            case "json": JsonFile = value; break;
            case "progress": Progress = Double(value); break;
            case "room-prefix": RoomPrefix = value; break;
            case "auth":
                Auth = value switch
                {
                    "none" => false,
                    "dev-token" => true,
                    _ => throw new ArgumentException("--auth must be none or dev-token."),
                };
                break;
            case "presence":
                Presence = value switch
                {
                    "on" => true,
                    "off" => false,
                    _ => throw new ArgumentException("--presence must be on or off."),
                };
                break;
            default: throw new ArgumentException($"Unknown option --{name}.");
        }
    }
}
