using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Api.Auth;

/// <summary>Signs dev tokens with the node's HS256 key, carrying the claims docs/api.md names.</summary>
internal sealed class DevTokenIssuer(NodeSigningKey signingKey, IOptions<ChatAuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public DevTokenResponse Issue(DevTokenRequest request)
    {
        var now = clock.GetUtcNow();
        // exp is whole seconds; the answer says exactly what the token holds.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() + (request.TtlSeconds ?? DevTokenRequest.DefaultTtlSeconds));
        var claims = new Dictionary<string, object> { [ChatUser.SubjectClaim] = request.UserId! };
        if (request.Name is { } name)
        {
            claims[ChatUser.NameClaim] = name;
        }

        foreach (var (right, patterns) in request.Rights())
        {
            claims[right.ClaimType()] = patterns;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            SigningCredentials = new SigningCredentials(signingKey.Key, SecurityAlgorithms.HmacSha256),
        });
        return new DevTokenResponse(token, expiresAt);
    }
}
