using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansChat.Tests.Infrastructure;

namespace OrleansChat.Tests.Telemetry;

/// <summary>docs/operations.md: a log entry written during a request carries that request's trace id.</summary>
public sealed class LogTraceTests
{
    [Fact]
    public async Task An_entry_logged_during_a_request_carries_the_trace_id_its_problem_answer_names()
    {
        var capture = new TraceIdCapture();
        await using var api = await ApiHost.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" },
            services => services.AddLogging(logging => logging.AddProvider(capture)));

        // The JSON console formatter writes scopes only when asked; the node's appsettings.json asks.
        Assert.True(api.Services.GetRequiredService<IConfiguration>().GetValue<bool>("Logging:Console:FormatterOptions:IncludeScopes"));

        using var response = await api.Http.PostAsJsonAsync($"/rooms/logs-{Guid.NewGuid():N}/messages", new { userId = "ann", text = " " });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        // W3C form: 00-{trace id}-{span id}-{flags}.
        var traceId = problem.RootElement.GetProperty("traceId").GetString()!.Split('-')[1];

        Assert.Contains(capture.TraceIdsOf("Microsoft.AspNetCore.Hosting.Diagnostics"), id => id == traceId);
    }

    /// <summary>The <c>TraceId</c> scope value of every entry, by category, as a console formatter would see it.</summary>
    private sealed class TraceIdCapture : ILoggerProvider, ISupportExternalScope
    {
        private readonly List<(string Category, string? TraceId)> _entries = [];
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public string?[] TraceIdsOf(string category)
        {
            lock (_entries)
            {
                return _entries.Where(e => e.Category == category).Select(e => e.TraceId).ToArray();
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(TraceIdCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => capture._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                string? traceId = null;
                capture._scopes.ForEachScope(
                    (scope, _) =>
                    {
                        if (scope is IEnumerable<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "TraceId").Value is { } value)
                        {
                            traceId = value.ToString();
                        }
                    },
                    (object?)null);
                lock (capture._entries)
                {
                    capture._entries.Add((category, traceId));
                }
            }
        }
    }
}
