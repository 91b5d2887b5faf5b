using System.Diagnostics;

namespace OrleansChat.Telemetry;

/// <summary>
/// The names under which the chat's own metrics and spans are published, by API nodes and silos alike. Tags on
/// them are always low-cardinality: never a room id or a user id, which would make a series per room.
/// </summary>
public static class ChatTelemetry
{
    /// <summary>The <c>Meter</c> and <c>ActivitySource</c> name.</summary>
    public const string Name = "OrleansChat";

    /// <summary>Orleans' own runtime meter (grain calls, activations, messaging).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The spans of a post and of a stream's opening; a no-op unless a tracer listens.</summary>
    public static readonly ActivitySource Source = new(Name);
}
