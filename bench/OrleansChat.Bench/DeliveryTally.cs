namespace OrleansChat.Bench;

/// <summary>
/// What the connections received against what their rooms acknowledged: per connection, every acknowledged seq is
/// either received, skipped by an announced gap, or lost; seqs beyond the acknowledged ones are unexpected.
/// </summary>
internal sealed record DeliveryTally(
    long Expected,
    long Delivered,
    long Lost,
    long Unexpected,
    long SkippedByGap,
    int ConnectionsIncomplete,
    IReadOnlyList<string> LostSample)
{
    public static DeliveryTally Of(IEnumerable<Subscriber> connected, Func<int, long> ackedInRoom)
    {
        long expected = 0, delivered = 0, lost = 0, unexpected = 0, gapped = 0;
        var lostSample = new List<string>();
        var incomplete = 0;
        foreach (var s in connected)
        {
            var acked = ackedInRoom(s.Room);
            expected += acked;
            delivered += s.Seqs.Unique;
            long missing = 0, skipped = 0;
            for (var seq = 1L; seq <= acked; seq++)
            {
                if (!s.Seqs.HasSeq(seq))
                {
                    _ = s.Seqs.IsGapped(seq) ? skipped++ : missing++;
                    if (!s.Seqs.IsGapped(seq) && lostSample.Count < 5)
                    {
                        lostSample.Add($"connection {s.Index} ({s.RoomId}): seq {seq}; gaps {s.Seqs.GapRanges}");
                    }
                }
            }

            lost += missing;
            gapped += skipped;
            unexpected += Math.Max(0, s.Seqs.Unique - (acked - missing - skipped));
            incomplete += missing > 0 ? 1 : 0;
        }

        return new DeliveryTally(expected, delivered, lost, unexpected, gapped, incomplete, lostSample);
    }
}
