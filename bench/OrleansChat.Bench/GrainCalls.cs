using System.Globalization;

namespace OrleansChat.Bench;

/// <summary>
/// Grain calls counted by the silos' Orleans meter, read from Prometheus endpoints: the sum of
/// <c>orleans_messaging_processing_dispatcher_received_total</c> over the series with <c>Direction="Request"</c>, i.e.
/// the requests the silo's dispatcher received (each call once, on the silo that runs the target; one-way messages
/// excluded). Its <c>Context</c> tag is the caller's: <c>None</c> for calls from outside any grain (an API node's
/// feeds and posts), <c>Grain</c> for calls made in a grain or system target (Orleans' own stream machinery).
/// </summary>
internal static class GrainCalls
{
    private const string Metric = "orleans_messaging_processing_dispatcher_received_total{";

    /// <summary>The count summed over <paramref name="urls"/>, or null when there are none or one did not answer.</summary>
    public static async Task<double?> ReadAsync(HttpClient http, IReadOnlyList<Uri> urls, CancellationToken cancellationToken)
    {
        if (urls.Count == 0)
        {
            return null;
        }

        double total = 0;
        foreach (var url in urls)
        {
            try
            {
                var text = await http.GetStringAsync(url, cancellationToken);
                foreach (var line in text.Split('\n'))
                {
                    if (line.StartsWith(Metric, StringComparison.Ordinal) && line.Contains("Direction=\"Request\"", StringComparison.Ordinal))
                    {
                        total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }

        return total;
    }
}
