namespace OrleansChat.Tests.Infrastructure;

/// <summary>Counts calls to one room grain method, as the silo receives them.</summary>
internal sealed class RoomCallCounter(string methodName) : IIncomingGrainCallFilter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain is IRoomGrain && context.MethodName == methodName)
        {
            Interlocked.Increment(ref _count);
        }

        await context.Invoke();
    }
}
