using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Tests.Auth;

/// <summary>Mints JWTs as an identity provider would, for the tests to present to a node.</summary>
internal static class Tokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "orleanschat";

    /// <summary>The HS256 key the Jwt test nodes are configured with.</summary>
    public static readonly string SigningKeyBase64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static SigningCredentials Hs256 { get; } = new(new SymmetricSecurityKey(Convert.FromBase64String(SigningKeyBase64)), SecurityAlgorithms.HmacSha256);

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>
    /// A token for <paramref name="sub"/> (none when null) with extra claims (a string[] becomes a JSON array),
    /// valid for a minute unless <paramref name="expires"/> or <paramref name="notBefore"/> say otherwise.
    /// </summary>
    public static string Mint(
        string? sub,
        IDictionary<string, object>? claims = null,
        DateTimeOffset? expires = null,
        DateTimeOffset? notBefore = null,
        string? issuer = Issuer,
        string? audience = Audience,
        SigningCredentials? credentials = null)
    {
        var now = DateTimeOffset.UtcNow;
        var all = new Dictionary<string, object>(claims ?? new Dictionary<string, object>());
        if (sub is not null)
        {
            all["sub"] = sub;
        }

        var exp = expires ?? now.AddMinutes(1);
        var nbf = notBefore ?? (exp < now ? exp.AddMinutes(-5) : now.AddSeconds(-1));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = all,
            IssuedAt = nbf.UtcDateTime,
            NotBefore = nbf.UtcDateTime,
            Expires = exp.UtcDateTime,
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = credentials ?? Hs256,
        });
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
