using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansChat.Api.Auth;
using OrleansChat.Api.Hosting;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Auth;

/// <summary>Chat:Auth as configured: its defaults by hosting, its start-up warning, and settings a node refuses.</summary>
public sealed class AuthOptionsTests
{
    [Theory]
    [InlineData(null, "Development")]
    [InlineData("Embedded", "Development")]
    [InlineData("Client", "Jwt")]
    public void The_auth_mode_defaults_to_development_embedded_and_jwt_in_client_mode(string? chatMode, string authMode)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chat:Mode"] = chatMode,
            ["Chat:Auth:SigningKey"] = Tokens.SigningKeyBase64,
        });
        builder.AddChatApi();

        using var services = builder.Services.BuildServiceProvider();

        Assert.Equal(authMode, services.GetRequiredService<IOptions<ChatAuthOptions>>().Value.Mode.ToString());
    }

    [Fact]
    public async Task A_development_node_warns_at_start_that_identities_are_not_verified()
    {
        var logs = new LogCapture();

        await using var api = await ApiHost.StartAsync(services: services => services.AddSingleton<ILoggerProvider>(logs));

        Assert.Contains("Warning OrleansChat.Api.Auth: Chat:Auth:Mode is Development", logs.Text);
        Assert.Contains("NOT verified", logs.Text);
    }

    public static TheoryData<string, string, string> BadSettings => new()
    {
        { "Chat:Auth:SigningKey", "c2hvcnQ=", "SigningKey" },
        { "Chat:Auth:SigningKey", "not base64!", "SigningKey" },
        { "Chat:Auth:Authority", "http://127.0.0.1:1", "RequireHttpsMetadata" },
        { "Chat:Auth:Authority", "not a url", "Authority" },
        { "Chat:Auth:AnonymousRead:0", "bad room", "AnonymousRead" },
        { "Chat:Auth:Mode", "Jwt", "needs" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_node_refuses_to_start_with_auth_settings_that_cannot_work(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(
            () => ApiHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, error.Message);
    }
}
