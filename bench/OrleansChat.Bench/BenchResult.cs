using System.Text.Json.Serialization;

namespace OrleansChat.Bench;

/// <summary>Latency figures in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double? P50Ms, double? P90Ms, double? P99Ms, double? MaxMs);

internal sealed record ConnectResult(
    int Attempted,
    int Connected,
    int Failed,
    IReadOnlyList<string> Errors,
    double PhaseSeconds,
    LatencySummary Latency);

/// <summary>
/// The posts. With a rate they were sent open-loop (each when due, whatever the server's state) and every latency
/// counts from when the post was due: <c>OfferedPerSecond</c> is the rate, <c>AchievedPerSecond</c> the rate at which
/// acks came back (acks ÷ the span from first to last ack), and the run is <c>Saturated</c> when that is under 98 %
/// of the offer (posts failing or answered later and later). <c>SendLag</c>: how late the generator itself sent
/// each post (its own CPU starvation, which would otherwise look like the server's latency).
/// </summary>
internal sealed record PostResult(
    long Attempted,
    long Acked,
    long Failed,
    IReadOnlyList<string> Errors,
    double PhaseSeconds,
    double AckedPerSecond,
    double? OfferedPerSecond,
    double AchievedPerSecond,
    bool Saturated,
    LatencySummary AckLatency,
    LatencySummary? SendLag);

/// <summary>
/// What the connections received. <c>Expected</c> = Σ over connected subscribers of the events acknowledged in
/// their room (posts, plus the backlog when resuming, and in the edits mix the edits and deletions, each an event
/// with its own seq); <c>Lost</c> = expected − unique seqs received (per connection,
/// never below 0); <c>Duplicates</c> = a seq received again on the same connection; <c>OutOfOrder</c> = a seq
/// lower than one already received on the same connection; <c>Unexpected</c> = unique seqs beyond what was
/// acknowledged (a post that failed on the client side but was stored); <c>SkippedByGap</c> = missing seqs that an
/// <c>event: gap</c> announced as trimmed from history (not lost: the contract says so), not counted in <c>Lost</c>. A stream that ends or breaks during the
/// run (the server disconnects clients that read too slowly) is counted in <c>EndedByServer</c>/<c>ReadErrors</c>
/// and reconnected with <c>Last-Event-ID</c> like a browser; the seq checks carry on across the reconnect.
/// <c>DeliveriesPerSecond</c>: live deliveries (events of every kind) ÷ first post → last delivery.
/// <c>OfferedPerSecond</c>: the post rate (plus the edits and deletions made per second) × subscribers per room; <c>AchievedPerSecond</c>: live deliveries ÷ (last − first live delivery + one post interval),
/// which stays at the offer however late each delivery is unless deliveries fall further and further behind;
/// <c>Saturated</c> when under 98 % of the offer.
/// </summary>
internal sealed record DeliveryResult(
    long Expected,
    long Delivered,
    long Lost,
    long Duplicates,
    long OutOfOrder,
    long Unexpected,
    long Gaps,
    long SkippedByGap,
    long Resets,
    int ConnectionsIncomplete,
    int EndedByServer,
    int ReadErrors,
    int Reconnects,
    int GaveUp,
    IReadOnlyList<string> LostSample,
    IReadOnlyList<string> Interruptions,
    double DeliveriesPerSecond,
    double? OfferedPerSecond,
    double AchievedPerSecond,
    bool Saturated,
    double DrainSeconds,
    LatencySummary Latency);

/// <summary>
/// The edits mix (<c>--edits</c>, <c>--deletes</c>): its edits and deletions, sent open-loop like the posts (latency from
/// when each was due), and the final check of every subscriber's view of its room.
/// </summary>
internal sealed record ChangesResult(
    int EditPercent,
    int DeletePercent,
    long EditsSent,
    long EditsAcked,
    long DeletesSent,
    long DeletesAcked,
    long Failed,
    IReadOnlyList<string> Errors,
    LatencySummary AckLatency,
    LatencySummary SendLag,
    FinalStateResult FinalState);

/// <summary>
/// Every subscriber's view against its room's final state (<see cref="FinalStateCheck"/>): the messages the rooms'
/// history holds (and how many of them are edited or deleted), the older ones trimmed from it (checked against the
/// acknowledgements instead), retained messages whose history disagrees with the acknowledgements, and the
/// subscribers whose view is exactly the final state (<c>ViewMismatches</c>: messages that differ, over all views).
/// </summary>
internal sealed record FinalStateResult(
    int Rooms,
    long MessagesInHistory,
    long EditedInHistory,
    long DeletedInHistory,
    long TrimmedFromHistory,
    long HistoryMismatches,
    int Views,
    int ViewsExact,
    long ViewMismatches,
    IReadOnlyList<string> MismatchSample);

/// <summary>A latency split: posts due in the first seconds of posting, and those due later.</summary>
internal sealed record WindowedLatency(LatencySummary First, LatencySummary After);

/// <summary>
/// <c>--cold</c>: the server was not warmed up. <c>ServerAgeSeconds</c>: from the server process's start to the first
/// post; the latencies of the posts due in the first <c>FirstSeconds</c> of posting are reported apart from the rest.
/// </summary>
internal sealed record ColdResult(double FirstSeconds, double? ServerAgeSeconds, WindowedLatency Delivery, WindowedLatency Ack);

/// <summary>CPU of one role (API nodes, silos, Redis, …) over the measured phase, from <c>/proc/PID/stat</c>.</summary>
internal sealed record RoleCpu(string Role, IReadOnlyList<int> Pids, double CpuSeconds, double Cores);

/// <summary>Resume: per client, request start → the whole backlog received.</summary>
internal sealed record ResumeResult(
    int Clients,
    int Backlog,
    int Complete,
    int Within50Ms,
    double PrefillSeconds,
    LatencySummary BacklogLatency);

/// <summary>Server memory (KiB, summed over the PIDs) and the connected-state cost per connection.</summary>
internal sealed record RssResult(
    IReadOnlyList<int> Pids,
    long? BaselineKb,
    long? ConnectedKb,
    long? LoadedKb,
    long? PeakSampledKb,
    long? HighWaterKb,
    double? BytesPerConnection);

/// <summary>
/// CPU used during the measured phase (posting and draining; for resume, connecting and replaying; for idle, the
/// idle hold), per role when roles were given, the grain calls per second the nodes' <c>/metrics</c> counted, and the
/// machine's 1-minute load average at the start and end of the run: on a shared machine these tell whether a
/// figure was limited by this server's own work or by the CPU it could get.
/// </summary>
internal sealed record CpuResult(
    double MeasuredSeconds,
    double? ServerCpuSeconds,
    double? ServerCores,
    double? ServerMicrosPerDelivery,
    double LoadGeneratorCpuSeconds,
    double? LoadAverageStart,
    double? LoadAverageEnd,
    int MachineCores,
    IReadOnlyList<RoleCpu> Roles,
    double? GrainCallsPerSecond);

/// <summary>
/// One run. <c>Auth</c>: every subscriber and poster had a token of its own (<c>--auth dev-token</c>).
/// <c>IdleSeconds</c>: an idle run (<c>--idle</c>), which posts nothing whatever its rate and duration say.
/// </summary>
internal sealed record BenchResult(
    string Scenario,
    string Mode,
    bool Auth,
    DateTimeOffset StartedAt,
    IReadOnlyList<string> Urls,
    string RoomPrefix,
    int Rooms,
    int SubscribersPerRoom,
    double Rate,
    int Posters,
    double DurationSeconds,
    int MessageSize,
    double? IdleSeconds,
    ConnectResult Connect,
    PostResult Posts,
    DeliveryResult Delivery,
    ResumeResult? Resume,
    ColdResult? Cold,
    RssResult Rss,
    CpuResult Cpu,
    ChangesResult? Changes);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BenchResult))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
