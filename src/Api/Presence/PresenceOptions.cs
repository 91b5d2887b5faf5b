using System.ComponentModel.DataAnnotations;

namespace OrleansChat.Api.Presence;

/// <summary><c>Chat:Presence</c>: who is in a room, as this node reports it to the room's presence grain.</summary>
public sealed class PresenceOptions : IValidatableObject
{
    public const string SectionName = "Chat:Presence";

    /// <summary>How long a user stays listed after their last stream closed, so a reconnect on any node shows nothing.</summary>
    [Range(0, 3600)]
    public int GraceSeconds { get; set; } = 10;

    /// <summary>
    /// How long this node's streams keep counting without a renewal. The node renews its lease with every silo every
    /// third of it, so when a node dies its users leave within this period unless they reconnect elsewhere.
    /// </summary>
    [Range(3, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often the node reports the streams opened and closed meanwhile: one call per room per interval.</summary>
    [Range(10, 5000)]
    public int ReportMilliseconds { get; set; } = 100;

    public PresenceTerms Terms => new(TimeSpan.FromSeconds(LeaseSeconds), TimeSpan.FromSeconds(GraceSeconds));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReportMilliseconds * 3 > LeaseSeconds * 1000)
        {
            yield return new ValidationResult(
                $"{SectionName}:ReportMilliseconds ({ReportMilliseconds}) must be well under a third of LeaseSeconds ({LeaseSeconds} s).",
                [nameof(ReportMilliseconds)]);
        }
    }
}
