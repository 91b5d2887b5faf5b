namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>Where a room under load is reached: its clients and the verdict through nginx, its four posters each through one entry.</summary>
internal sealed record LoadEntryPoints(Uri Nginx, Uri[] Posters, TokenIssuer? Tokens = null)
{
    /// <summary>The loopback cluster: posters through nginx and each API node directly.</summary>
    public static readonly LoadEntryPoints LocalCluster =
        new(Infrastructure.LocalCluster.Nginx, [Infrastructure.LocalCluster.Nginx, Infrastructure.LocalCluster.Api1, Infrastructure.LocalCluster.Api2, Infrastructure.LocalCluster.Nginx]);

    /// <summary>Everything through nginx: for runs that kill API nodes, or a deployment reached only through nginx.</summary>
    public static LoadEntryPoints NginxOnly(Uri nginx, TokenIssuer? tokens = null) => new(nginx, [nginx, nginx, nginx, nginx], tokens);
}

/// <summary>
/// A busy room while something fails: resuming SSE clients through nginx, three posters that post one message after
/// the other (one per entry point) and a probe that starts a post every 200 ms whatever happened to the earlier ones.
/// Every poster retries with its clientMessageId. <see cref="StopAndVerifyAsync"/> is the acknowledged-set verdict.
/// </summary>
internal sealed class RoomUnderLoad : IAsyncDisposable
{
    // The default of Chat:History:MaxMessages; cluster.sh leaves it alone.
    private const int RetainedMessages = 1000;

    private readonly ResumingSseClient[] _clients;
    private readonly Poster[] _posters;
    private readonly CancellationTokenSource _stopPosting = new();
    private readonly TimeSpan _patience;
    private readonly TimeSpan _pace;
    private readonly LoadEntryPoints _entry;
    private Task[] _postings = [];

    /// <param name="pace">How often each poster starts a message at most (the probe: every 200 ms, or this if slower);
    /// a long run needs a slow pace to stay within what the room retains.</param>
    /// <param name="entry">The loopback cluster's entry points unless given.</param>
    public RoomUnderLoad(string purpose, TimeSpan patience, int clients = 2, TimeSpan? pace = null, LoadEntryPoints? entry = null)
    {
        _patience = patience;
        _pace = pace ?? TimeSpan.FromMilliseconds(25);
        _entry = entry ?? LoadEntryPoints.LocalCluster;
        RoomId = Rooms.NewId(purpose);
        _clients = Enumerable.Range(0, clients).Select(_ => new ResumingSseClient(_entry.Nginx, RoomId, "0", _entry.Tokens)).ToArray();
        _posters = _entry.Posters.Select((node, i) => new Poster(node, RoomId, $"p{i}", _entry.Tokens)).ToArray();
    }

    public string RoomId { get; }

    public int Acknowledged => _posters.Sum(p => p.Acknowledged.Count);

    public Poster.Attempt[] Attempts => _posters.SelectMany(p => p.Attempts).ToArray();

    public static bool IsSuccess(Poster.Attempt attempt) => attempt.Status is 200 or 201;

    /// <summary>Posts one message before the load starts, e.g. to find out where the room lives.</summary>
    public Task PostOnceAsync() => _posters[0].PostAsync(_patience);

    /// <summary>Connects the clients, starts posting and returns once <paramref name="acknowledged"/> posts succeeded.</summary>
    public async Task StartAsync(int acknowledged = 20)
    {
        await Poll.UntilAsync(() => _clients.All(c => c.Connections.Count > 0), "every client is connected", _patience);
        // Paced, so that a fast machine cannot post past what the room retains before the verdict reads it all back.
        _postings = _posters[..3].Select(p => p.RunAsync(_stopPosting.Token, _patience, _pace))
            .Append(_posters[3].RunEveryAsync(TimeSpan.FromMilliseconds(Math.Max(200, _pace.TotalMilliseconds)), _stopPosting.Token, _patience)).ToArray();
        await Poll.UntilAsync(() => Acknowledged >= acknowledged, "the room is busy", _patience);
    }

    /// <summary>
    /// Waits until a post started after <paramref name="since"/> succeeds; returns when it finished, counted from
    /// <paramref name="from"/>.
    /// </summary>
    public async Task<TimeSpan> PostingResumedAsync(DateTime since, DateTime from)
    {
        await Poll.UntilAsync(() => Attempts.Any(a => a.StartedAt > since && IsSuccess(a)), "a post made after the failure succeeds", _patience);
        return Attempts.Where(a => a.StartedAt > since && IsSuccess(a)).Min(a => a.StartedAt + a.Duration) - from;
    }

    /// <summary>Waits for <paramref name="more"/> further acknowledgements.</summary>
    public async Task KeepPostingAsync(int more)
    {
        var target = Acknowledged + more;
        await Poll.UntilAsync(() => Acknowledged >= target, $"{more} more posts are acknowledged", _patience);
    }

    /// <summary>
    /// Stops posting and checks the verdict: every attempt succeeded or answered 503 with Retry-After; the history is
    /// 1..last with exactly the acknowledged messages; every client has each exactly once, in order. Returns the last seq.
    /// </summary>
    /// <param name="apiNodeStops">When API nodes were down, from the signal until they served again: a post nginx sent
    /// to the node then can only get nginx's 502 (nginx does not send a POST it already sent to another node; the
    /// poster retries it with its clientMessageId). Any other 502 still fails the verdict.</param>
    public async Task<long> StopAndVerifyAsync(IReadOnlyList<(DateTime From, DateTime To)>? apiNodeStops = null)
    {
        await _stopPosting.CancelAsync();
        await Task.WhenAll(_postings);

        var unexpected = Attempts.Where(a => !IsSuccess(a) && !(a.Status == 503 && a.HasRetryAfter) && !CaughtByNodeStop(a, apiNodeStops)).ToArray();
        Assert.True(unexpected.Length == 0, $"Every post must succeed or answer 503 with Retry-After within {Poster.AttemptDeadline.TotalSeconds:0} s: {unexpected.Length} did not, e.g. {string.Join("; ", unexpected.Take(3))}; API nodes down: {string.Join(", ", (apiNodeStops ?? []).Select(s => $"{s.From:HH:mm:ss.fff}–{s.To:HH:mm:ss.fff}"))}");

        var acknowledged = _posters.SelectMany(p => p.Acknowledged.Values).ToArray();
        var history = await Rooms.HistoryAsync(_entry.Nginx, RoomId, _entry.Tokens);
        var lastSeq = history[^1].Seq;
        Assert.True(lastSeq <= RetainedMessages, $"The room took {lastSeq} messages, more than it retains ({RetainedMessages}); the history can no longer prove nothing was lost.");
        Assert.Equal(Rooms.Seqs(1, lastSeq), history.Select(m => m.Seq));
        Assert.Equal(acknowledged.OrderBy(m => m.Seq), history);

        await Poll.UntilAsync(() => _clients.All(c => c.HasSeen(lastSeq)), $"every SSE client has seq {lastSeq}", _patience);
        foreach (var client in _clients)
        {
            Assert.True(Rooms.Seqs(1, lastSeq).SequenceEqual(client.Seqs), $"Expected 1..{lastSeq} once each, in order: {client.Describe()}");
            Assert.Equal(history, client.Messages);
        }

        return lastSeq;
    }

    /// <summary>A post answered 502 by nginx while it was in flight during one of <paramref name="stops"/>.</summary>
    public static bool CaughtByNodeStop(Poster.Attempt attempt, IReadOnlyList<(DateTime From, DateTime To)>? stops) =>
        attempt.Status == 502
        && stops?.Any(stop => attempt.StartedAt <= stop.To && attempt.StartedAt + attempt.Duration >= stop.From) == true;

    public async ValueTask DisposeAsync()
    {
        await _stopPosting.CancelAsync();
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (var poster in _posters)
        {
            poster.Dispose();
        }

        _stopPosting.Dispose();
    }
}
