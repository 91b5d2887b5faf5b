using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansChat.Api.Events;

namespace OrleansChat.Api.Rooms;

/// <summary>The request and response bodies of the room endpoints, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(HistoryPage))]
[JsonSerializable(typeof(RoomInfo))]
[JsonSerializable(typeof(PostMessageRequest))]
[JsonSerializable(typeof(EditMessageRequest))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
