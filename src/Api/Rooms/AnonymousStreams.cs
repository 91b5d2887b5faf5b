using Microsoft.Extensions.Options;
using OrleansChat.Api.Sse;

namespace OrleansChat.Api.Rooms;

/// <summary>
/// The event streams without an identity that this node holds, per client address: one address may not take every
/// slot of the node. Per node only: an anonymous client has nothing the cluster could count it by but its address.
/// </summary>
internal sealed class AnonymousStreams(IOptions<SseOptions> options)
{
    private readonly int _max = options.Value.MaxAnonymousStreamsPerAddress;
    private readonly Dictionary<string, int> _open = [];

    public int MaxPerAddress => _max;

    /// <summary>A place for one more stream from <paramref name="address"/>, held until disposed; null at the cap.</summary>
    public IDisposable? TryEnter(string address)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(address);
            if (open >= _max)
            {
                return null;
            }

            _open[address] = open + 1;
        }

        return new Place(this, address);
    }

    private void Leave(string address)
    {
        lock (_open)
        {
            if (_open[address] == 1)
            {
                _open.Remove(address);
            }
            else
            {
                _open[address]--;
            }
        }
    }

    private sealed class Place(AnonymousStreams streams, string address) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                streams.Leave(address);
            }
        }
    }
}
