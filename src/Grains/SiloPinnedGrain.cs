namespace OrleansChat;

/// <summary>
/// A grain that speaks for the silo its key names (a silo address), from that silo's own tables. Callers place it with
/// a placement hint; an activation anywhere else (the named silo is gone, so the hint was ignored) refuses to start
/// rather than answer for another silo.
/// </summary>
internal abstract class SiloPinnedGrain(ILocalSiloDetails silo) : Grain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var here = silo.SiloAddress.ToParsableString();
        if (this.GetPrimaryKeyString() != here)
        {
            throw new InvalidOperationException($"{GetType().Name} of silo {this.GetPrimaryKeyString()} cannot run on {here}.");
        }

        return Task.CompletedTask;
    }
}
