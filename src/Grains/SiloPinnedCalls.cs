using Orleans.Runtime.Placement;

namespace OrleansChat;

/// <summary>How callers reach a <see cref="SiloPinnedGrain"/>: with the placement hint that puts it on its silo.</summary>
public static class SiloPinnedCalls
{
    /// <summary>Runs <paramref name="call"/> with the hint for <paramref name="silo"/>, which travels with this call only.</summary>
    public static async Task<T> OnSiloAsync<T>(SiloAddress silo, Func<Task<T>> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }
}
