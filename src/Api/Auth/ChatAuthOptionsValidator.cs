using Microsoft.Extensions.Options;

namespace OrleansChat.Api.Auth;

/// <summary>Refuses to start with a key, an authority or a pattern that could never work as configured.</summary>
internal sealed class ChatAuthOptionsValidator : IValidateOptions<ChatAuthOptions>
{
    public const int MinSigningKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, ChatAuthOptions options)
    {
        var failures = new List<string>();
        if (options.SigningKey is { } key && SigningKeyBytes(key) is not { Length: >= MinSigningKeyBytes })
        {
            failures.Add($"{ChatAuthOptions.SectionName}:SigningKey must be base64 of at least {MinSigningKeyBytes} bytes (e.g. `openssl rand -base64 32`).");
        }

        if (options.Authority is { } authority)
        {
            if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{ChatAuthOptions.SectionName}:Authority must be an absolute https:// URL, not '{authority}'.");
            }
            else if (uri.Scheme == Uri.UriSchemeHttp && options.RequireHttpsMetadata)
            {
                failures.Add($"{ChatAuthOptions.SectionName}:Authority is http://; set {ChatAuthOptions.SectionName}:RequireHttpsMetadata=false to allow that (tests on loopback only).");
            }
        }

        if (options.Mode == AuthMode.Jwt && options.SigningKey is null && options.Authority is null)
        {
            failures.Add($"{ChatAuthOptions.SectionName}:Mode is Jwt, which needs {ChatAuthOptions.SectionName}:SigningKey or {ChatAuthOptions.SectionName}:Authority to check tokens with.");
        }

        foreach (var pattern in options.AnonymousRead.Where(p => !RoomPattern.IsValid(p)))
        {
            failures.Add($"{ChatAuthOptions.SectionName}:AnonymousRead holds '{pattern}', which is not a room pattern (a room id, a prefix ending in '*', or '*').");
        }

        if (options.MaxStreamsPerUser < 1)
        {
            failures.Add($"{ChatAuthOptions.SectionName}:MaxStreamsPerUser must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static byte[]? SigningKeyBytes(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
