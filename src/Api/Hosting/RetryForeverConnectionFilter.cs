namespace OrleansChat.Api.Hosting;

/// <summary>
/// Keeps an API node looking for its cluster however long the silos take to come up (Orleans' default gives up
/// after 15 attempts and the process stops); meanwhile <c>/readyz</c> answers 503.
/// </summary>
internal sealed partial class RetryForeverConnectionFilter(ILogger<RetryForeverConnectionFilter> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        LogNotConnected(logger, exception.Message);
        await Task.Delay(Delay, cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach the Orleans cluster yet ({Reason}); retrying in 1 s.")]
    private static partial void LogNotConnected(ILogger logger, string reason);
}
