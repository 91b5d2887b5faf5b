using System.Text.Json;
using System.Text.Json.Serialization;
namespace OrleansChat.Api.Events;

/// <summary>The presence bodies and event data, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(RoomPresence))]
[JsonSerializable(typeof(PresenceEvent))]
internal sealed partial class PresenceJsonContext : JsonSerializerContext;

/// <summary>The <c>data</c> of an <c>event: join</c>, <c>leave</c> or <c>typing</c>.</summary>
internal sealed record PresenceEvent(string RoomId, string UserId, string? UserName);
