using System.Diagnostics;

namespace OrleansChat.Bench;

/// <summary>
/// Which acknowledged posts the edits mix changes, and when: post k is edited with <c>--edits</c> percent probability
/// and deleted with <c>--deletes</c> percent, half of the deletions falling on edited posts (edited, then deleted),
/// the edit due <see cref="EditAfter"/> and the deletion <see cref="DeleteAfter"/> after the post was due.
/// </summary>
/// <remarks>
/// The choice is a fixed function of k (Weyl's golden-ratio sequence, equidistributed over every run of posts and
/// every room), so each run changes the same posts and the shares hold within a few posts for any stretch of the run.
/// </remarks>
internal sealed class ChangePlan(int editPercent, int deletePercent)
{
    public static readonly TimeSpan EditAfter = TimeSpan.FromMilliseconds(250);

    public static readonly TimeSpan DeleteAfter = TimeSpan.FromMilliseconds(500);

    public int EditPercent => editPercent;

    public int DeletePercent => deletePercent;

    public bool Any => editPercent > 0 || deletePercent > 0;

    public static long EditAfterTicks => (long)(EditAfter.TotalSeconds * Stopwatch.Frequency);

    public static long DeleteAfterTicks => (long)(DeleteAfter.TotalSeconds * Stopwatch.Frequency);

    public (bool Edit, bool Delete) For(long k)
    {
        var perMille = (int)(((ulong)k * 0x9E3779B97F4A7C15UL >> 32) * 1000 >> 32);
        var edits = editPercent * 10;
        var deletes = deletePercent * 10;
        var deleteFrom = Math.Max(0, edits - deletes / 2);
        return (perMille < edits, perMille >= deleteFrom && perMille < deleteFrom + deletes);
    }
}
