using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansChat.Api.Events;

namespace OrleansChat.Api.Auth;

/// <summary>The dev token request and response, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcMillisecondsConverter)])]
[JsonSerializable(typeof(DevTokenRequest))]
[JsonSerializable(typeof(DevTokenResponse))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
