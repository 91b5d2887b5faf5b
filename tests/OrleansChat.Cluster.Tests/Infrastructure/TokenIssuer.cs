using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Cluster.Tests.Infrastructure;

/// <summary>
/// Signs tokens with a cluster's shared HS256 key (base64), as an identity provider sharing that key would: the
/// loopback cluster's (<see cref="ClusterTokens"/>) or the compose deployment's (<see cref="ComposeDeployment"/>).
/// </summary>
internal sealed class TokenIssuer(string signingKey)
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>A token for <paramref name="userId"/>, valid for <paramref name="lifetime"/> (an hour unless given).</summary>
    public string Mint(string userId, TimeSpan? lifetime = null)
    {
        var now = DateTime.UtcNow;
        var key = new SymmetricSecurityKey(Convert.FromBase64String(signingKey.Trim()));
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = userId },
            IssuedAt = now,
            NotBefore = now.AddSeconds(-1),
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    public AuthenticationHeaderValue Bearer(string userId) => new("Bearer", Mint(userId));
}
