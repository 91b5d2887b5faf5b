using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Api.Auth;

/// <summary>The JwtBearer handler as docs/api.md describes it, from <see cref="ChatAuthOptions"/>.</summary>
internal sealed class ChatJwtBearer(IOptions<ChatAuthOptions> options, NodeSigningKey signingKey) : IConfigureNamedOptions<JwtBearerOptions>
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public void Configure(string? name, JwtBearerOptions jwt)
    {
        if (name == JwtBearerDefaults.AuthenticationScheme)
        {
            Configure(jwt);
        }
    }

    public void Configure(JwtBearerOptions jwt)
    {
        var auth = options.Value;
        // Claims keep their JWT names: sub, name, exp, chat_read, chat_write, chat_moderate.
        jwt.MapInboundClaims = false;
        // Keys of the authority come from its discovery document; an unknown kid refreshes them (RefreshOnIssuerKeyNotFound).
        jwt.Authority = auth.Authority;
        jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        // Failures are described by our own problem+json, never by exception text in a header.
        jwt.IncludeErrorDetails = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKeys = signingKey.Key is { } key ? [key] : [],
            ValidateIssuer = auth.Issuer is not null,
            ValidIssuer = auth.Issuer,
            ValidateAudience = auth.Audience is not null,
            ValidAudience = auth.Audience,
            ClockSkew = ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            NameClaimType = ChatUser.NameClaim,
        };
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                // The Authorization header, read by the handler itself, wins over the query.
                if (!context.Request.Headers.Authorization.Any()
                    && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<AccessTokenInQueryAttribute>() is not null)
                {
                    context.Token = AccessTokenQuery.TokenOf(context.HttpContext);
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                if (ChatUser.Refusal(context.Principal!) is { } refusal)
                {
                    context.Fail(refusal);
                }

                return Task.CompletedTask;
            },
        };
    }
}
