using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansChat.Api.Events;

/// <summary>The <c>data</c> of the SSE events, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(GapEvent))]
[JsonSerializable(typeof(ResetEvent))]
[JsonSerializable(typeof(ExpiredEvent))]
internal sealed partial class EventJsonContext : JsonSerializerContext;

/// <summary>Timestamps as <c>2026-11-25T10:00:00.000Z</c>, the form of the contract, in events and responses alike.</summary>
internal sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
