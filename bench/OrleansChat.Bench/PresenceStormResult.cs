using System.Text.Json.Serialization;

namespace OrleansChat.Bench;

/// <summary>
/// One phase of the presence scenario: the presence events every tab received in it (each tab's copy counts, as a
/// browser's would), by type, and each role's CPU.
/// </summary>
internal sealed record PresencePhase(
    string Name,
    double Seconds,
    long Events,
    double EventsPerSecond,
    IReadOnlyDictionary<string, long> ByType,
    IReadOnlyList<RoleCpu> Roles);

/// <summary>
/// What a node-kill storm did to presence. <c>SpuriousLeaves</c>/<c>SpuriousJoins</c>: <c>leave</c> and <c>join</c>
/// events received after every user was listed (every user comes back, so each one is a flicker on some page);
/// <c>ShortSnapshots</c>: <c>presence</c> events after that point that did not list every user of the room;
/// <c>RoomsComplete</c>: rooms whose <c>GET /rooms/{id}/presence</c> at the end counted and listed exactly their users.
/// </summary>
internal sealed record PresenceStormResult(
    string Scenario,
    DateTimeOffset StartedAt,
    IReadOnlyList<string> Urls,
    string ReconnectUrl,
    string Prefix,
    int Rooms,
    int Users,
    int TabsPerUser,
    int Streams,
    int Connected,
    IReadOnlyList<string> ConnectErrors,
    double ConnectSeconds,
    double ListedSeconds,
    string? Kill,
    int VictimTabs,
    int VictimTabsReconnected,
    int FailedReconnectAttempts,
    LatencySummary ReconnectAfterKill,
    double StormSeconds,
    PresencePhase Quiet,
    PresencePhase Storm,
    PresencePhase AfterStorm,
    long SpuriousLeaves,
    long SpuriousJoins,
    IReadOnlyList<string> SpuriousSample,
    long ShortSnapshots,
    int RoomsComplete,
    long MembersCounted,
    long MembersExpected,
    double? LoadAverageStart,
    double? LoadAverageEnd);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PresenceStormResult))]
internal sealed partial class PresenceStormJsonContext : JsonSerializerContext;
