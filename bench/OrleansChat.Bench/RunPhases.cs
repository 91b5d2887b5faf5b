namespace OrleansChat.Bench;

/// <summary>When a run's phases happened and how long they took, and the server memory between them.</summary>
/// <param name="BacklogAcked">Per room, the events acknowledged before the subscribers connected (resume's backlog).</param>
/// <param name="PostStart">The stopwatch timestamp at which the first post was due.</param>
/// <param name="ServerAgeSeconds">The server process's age at the first post, when its PID is known.</param>
internal sealed record RunPhases(
    DateTimeOffset StartedAt,
    double PrefillSeconds,
    long[] BacklogAcked,
    double ConnectSeconds,
    long PostStart,
    double PostSeconds,
    double DrainSeconds,
    double? ServerAgeSeconds,
    long? BaselineKb,
    long? ConnectedKb,
    long? LoadedKb);
