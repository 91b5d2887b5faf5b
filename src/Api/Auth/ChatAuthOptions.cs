namespace OrleansChat.Api.Auth;

/// <summary>How identities are established: see "Identity and access" in docs/api.md.</summary>
public enum AuthMode
{
    /// <summary>A request without a token is trusted as the body's userId (v1 behaviour); tokens are still checked.</summary>
    Development,

    /// <summary>Writes need a valid token; reads too, except on rooms listed in <see cref="ChatAuthOptions.AnonymousRead"/>.</summary>
    Jwt,
}

/// <summary><c>Chat:Auth</c>: token validation, modes, anonymous reads, dev tokens and per-user stream cap.</summary>
public sealed class ChatAuthOptions
{
    public const string SectionName = "Chat:Auth";

    /// <summary>Defaults by hosting (see <c>AddChatAuth</c>): Development when embedded, Jwt for a client node.</summary>
    public AuthMode Mode { get; set; } = AuthMode.Development;

    /// <summary>Base64 of at least 32 bytes: the HS256 key shared by the token issuer and every node.</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect issuer whose discovery document names the JWKS of RS256/ES256 keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The expected <c>iss</c>; not checked when unset.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c>; not checked when unset.</summary>
    public string? Audience { get; set; }

    /// <summary>False allows an <c>http://</c> authority (loopback tests only).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Room patterns anyone may read without a token in Jwt mode.</summary>
    public string[] AnonymousRead { get; set; } = [];

    /// <summary>Serve <c>POST /auth/dev-token</c>; unset means on in Development, off in Jwt.</summary>
    public bool? DevTokens { get; set; }

    /// <summary>Open event streams per user across the cluster.</summary>
    public int MaxStreamsPerUser { get; set; } = 32;

    public bool DevTokensEnabled => DevTokens ?? Mode == AuthMode.Development;
}
