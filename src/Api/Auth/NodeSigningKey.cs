using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Api.Auth;

/// <summary>
/// The HS256 key this node checks tokens with and signs dev tokens with: the configured one, or a random one per
/// start when dev tokens are on without it (tokens from one node are then refused by the others and after a restart).
/// </summary>
internal sealed class NodeSigningKey(IOptions<ChatAuthOptions> options)
{
    public SymmetricSecurityKey? Key { get; } = Create(options.Value);

    private static SymmetricSecurityKey? Create(ChatAuthOptions options)
    {
        if (options.SigningKey is { } configured)
        {
            return new SymmetricSecurityKey(ChatAuthOptionsValidator.SigningKeyBytes(configured));
        }

        return options.DevTokensEnabled ? new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(ChatAuthOptionsValidator.MinSigningKeyBytes)) : null;
    }
}
