using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>
/// Tenant states built the way the engine builds them: by applying events. One tenant "t1" with a
/// paper account "pa" and an external account "ext", following strategy "rsi" on BTCUSDT.
/// </summary>
internal static class TenantHistory
{
    public const string Tenant = "t1";
    public const string PaperAccountId = "pa";
    public const string ExternalAccountId = "ext";
    public const string Strategy = "rsi";
    public const string Symbol = "BTCUSDT";
    public static readonly string Source = "strategy:" + Strategy;

    public static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static TenantState Created() =>
        TenantState.Empty(Tenant).Apply(new TenantCreated(Tenant, "Tenant One", T0));

    public static TenantState WithAccounts(decimal paperCash = 10_000m) => Created().Then(
        new PaperAccountLinked(PaperAccountId, paperCash, T0),
        new BrokerAccountLinked(ExternalAccountId, "sim", "ACC-1", T0));

    /// <summary>Subscribed to <see cref="Strategy"/> at <see cref="T0"/> on the given account.</summary>
    public static TenantState Following(string account = PaperAccountId, decimal budget = 1_000m, decimal paperCash = 10_000m, long startAfter = 0) =>
        WithAccounts(paperCash).Then(new Subscribed(Strategy, account, Symbol, budget, T0, startAfter));

    public static TenantState Then(this TenantState state, params ITenantEvent[] events) =>
        events.Aggregate(state, (s, e) => s.Apply(e));

    public static OrderIntent Intent(long sequence, OrderSide side = OrderSide.Buy, decimal quantity = 0.01m, string account = PaperAccountId,
        string? source = null, decimal price = 50_000m)
    {
        source ??= Source;
        return new(ClientOrderIds.Create(Tenant, account, source, sequence, 0), account, source, sequence, Symbol, side, quantity, price);
    }

    public static Fill FillOf(OrderIntent intent, decimal? price = null, decimal fee = 0.5m) =>
        new(intent.Quantity, price ?? intent.ReferencePrice, fee, "V-" + intent.SourceSequence, T0);
}
