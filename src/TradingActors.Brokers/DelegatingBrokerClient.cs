using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers;

/// <summary>
/// Passes every call to an inner connector: the base of wrappers that change one call (test venues that count,
/// delay or fail calls) without restating the whole contract.
/// </summary>
public abstract class DelegatingBrokerClient(IBrokerClient inner) : IBrokerClient
{
    protected IBrokerClient InnerClient { get; } = inner;

    public virtual string Venue => InnerClient.Venue;
    public virtual bool DeduplicatesClientOrderIds => InnerClient.DeduplicatesClientOrderIds;
    public virtual ITokenVenue? Tokens => InnerClient.Tokens;
    public virtual Task<BrokerOrderResult> PlaceOrderAsync(BrokerAccount account, OrderIntent intent, CancellationToken ct) => InnerClient.PlaceOrderAsync(account, intent, ct);
    public virtual Task<BrokerOrderResult?> FindOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct) => InnerClient.FindOrderAsync(account, lookup, ct);
    public virtual Task<BrokerOrderResult?> CancelOrderAsync(BrokerAccount account, OrderLookup lookup, CancellationToken ct) => InnerClient.CancelOrderAsync(account, lookup, ct);
    public virtual Task<VenueAccountState> GetAccountAsync(BrokerAccount account, CancellationToken ct) => InnerClient.GetAccountAsync(account, ct);
    public virtual Task<Instrument?> GetInstrumentAsync(BrokerAccount account, string symbol, CancellationToken ct) => InnerClient.GetInstrumentAsync(account, symbol, ct);
    public virtual Task<ConnectivityCheck> CheckConnectivityAsync(BrokerAccount account, CancellationToken ct) => InnerClient.CheckConnectivityAsync(account, ct);
}
