namespace OrleansChat.Bench;

/// <summary>
/// The edits mix's verdict: whether every subscriber ended with exactly its room's final state. That state is the
/// room's history (<c>GET /rooms/{id}/messages</c>, messages as they now stand) for the messages it retains, and for
/// older ones, trimmed from history by the event limit, the state the generator's acknowledged posts and changes
/// imply. The history itself is checked against those acknowledgements too, so that a change lost by the server
/// (absent from history and from every stream alike) cannot pass.
/// </summary>
internal static class FinalStateCheck
{
    public static async Task<FinalStateResult> RunAsync(
        HttpClient http, Uri baseUrl, string[] roomIds, string? token, MessageChanges changes, Subscriber[] connected, CancellationToken cancellationToken)
    {
        var finals = new MessageStates[roomIds.Length];
        var lastSeqs = new long[roomIds.Length];
        var sample = new List<string>();
        long inHistory = 0, edited = 0, deleted = 0, trimmed = 0, historyMismatches = 0;
        for (var room = 0; room < roomIds.Length; room++)
        {
            var history = await RoomHistory.ReadAsync(http, baseUrl, roomIds[room], token, cancellationToken);
            var acked = changes.AckedStates(room);
            (inHistory, edited, deleted) = (inHistory + history.Messages, edited + history.Edited, deleted + history.Deleted);
            lastSeqs[room] = Math.Max(history.LastSeq, acked.MaxSeq);
            finals[room] = new MessageStates();
            for (var seq = 1L; seq <= lastSeqs[room]; seq++)
            {
                var final = seq >= history.FirstRetainedSeq ? history.States.At(seq) : acked.At(seq);
                trimmed += seq < history.FirstRetainedSeq && final != 0 ? 1 : 0;
                if (final != acked.At(seq))
                {
                    historyMismatches++;
                    Note(sample, $"{roomIds[room]} seq {seq}: history shows {MessageStates.Describe(final)}, the answers said {MessageStates.Describe(acked.At(seq))}");
                }

                finals[room].Set(seq, final);
            }
        }

        int exact = 0;
        long viewMismatches = 0;
        foreach (var s in connected)
        {
            var view = s.Messages!;
            var final = finals[s.Room];
            long wrong = 0;
            for (var seq = 1L; seq <= Math.Max(view.MaxSeq, lastSeqs[s.Room]); seq++)
            {
                if (view.At(seq) != final.At(seq))
                {
                    wrong++;
                    Note(sample, $"connection {s.Index} ({s.RoomId}) seq {seq}: saw {MessageStates.Describe(view.At(seq))}, the room has {MessageStates.Describe(final.At(seq))}");
                }
            }

            viewMismatches += wrong;
            exact += wrong == 0 ? 1 : 0;
        }

        return new FinalStateResult(roomIds.Length, inHistory, edited, deleted, trimmed, historyMismatches, connected.Length, exact, viewMismatches, sample);
    }

    private static void Note(List<string> sample, string mismatch)
    {
        if (sample.Count < 5)
        {
            sample.Add(mismatch);
        }
    }
}
