namespace OrleansChat;

/// <summary>Fewer replicas than <see cref="ChatDurabilityOptions.Replicas"/> confirmed a write in time.</summary>
public sealed class ReplicationShortfallException(int required, long confirmed, TimeSpan timeout)
    : Exception($"{confirmed} of the {required} required replicas confirmed the write within {timeout.TotalMilliseconds:0} ms.");
