using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace OrleansChat.Tests.Auth;

/// <summary>
/// A real OpenID Connect issuer on a loopback port: a discovery document and a JWKS that holds the public halves of
/// the keys added so far (a key added later is published from then on, as in a key rotation).
/// </summary>
internal sealed class OidcProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _jwks = new();

    private OidcProvider(WebApplication app) => _app = app;

    public string Authority { get; private set; } = "";

    public static async Task<OidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var provider = new OidcProvider(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = provider.Authority,
            ["jwks_uri"] = provider.Authority + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        app.MapGet("/jwks", () => Results.Json(new Dictionary<string, object> { ["keys"] = provider._jwks.Values.ToArray() }));
        await app.StartAsync();
        provider.Authority = app.Urls.Single().TrimEnd('/');
        return provider;
    }

    /// <summary>A new RS256 key, published in the JWKS under <paramref name="kid"/>.</summary>
    public SigningCredentials AddRsaKey(string kid)
    {
        var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        _jwks[kid] = new Dictionary<string, string>
        {
            ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
        return new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256);
    }

    /// <summary>A new ES256 (P-256) key, published in the JWKS under <paramref name="kid"/>.</summary>
    public SigningCredentials AddEcKey(string kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = ec.ExportParameters(includePrivateParameters: false);
        _jwks[kid] = new Dictionary<string, string>
        {
            ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = kid, ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
        return new SigningCredentials(new ECDsaSecurityKey(ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
