using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansChat.Api.Rooms;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Hosting;

/// <summary>The wire shapes of API.md, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(HistoryPage))]
[JsonSerializable(typeof(RoomInfo))]
[JsonSerializable(typeof(PostMessageRequest))]
[JsonSerializable(typeof(GapEvent))]
[JsonSerializable(typeof(ResetEvent))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;

/// <summary>Timestamps as <c>2026-11-25T10:00:00.000Z</c>, the form API.md shows.</summary>
internal sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
