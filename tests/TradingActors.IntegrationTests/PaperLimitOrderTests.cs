using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;
using TradingActors.Tests.Shared;

namespace TradingActors.IntegrationTests;

/// <summary>
/// Resting paper limit orders (decision 027), end to end on one node with real PostgreSQL: a limit the market has not
/// reached rests in the tenant's ledger, survives a restart, fills once when a published price crosses it (at its
/// limit), and can be cancelled. Counted in the journal.
/// </summary>
public sealed class PaperLimitOrderTests
{
    private const string Tenant = "resting";

    private static async Task<EngineNode> Start(string connectionString, TestVenues venues, bool create)
    {
        var node = await EngineNode.StartAsync(EngineNode.DefaultOptions(connectionString, venues));
        // The market at 50 000 as the node's price board sees it (manual orders are referenced to it).
        node.PublishPrice("BTCUSDT", 50_000m);
        await Task.Delay(300);
        if (create)
        {
            await node.Accept(new CreateTenant(Tenant, Tenant));
            await node.Accept(new LinkPaperAccount(Tenant, "paper-1", 10_000m));
        }
        return node;
    }

    private static async Task<OrderRecord?> Order(EngineNode node, string clientOrderId)
    {
        var state = await node.Portfolio(Tenant);
        return state.Open.GetValueOrDefault(clientOrderId) ?? state.Recent.LastOrDefault(r => r.Intent.ClientOrderId == clientOrderId);
    }

    [Fact]
    public async Task A_resting_paper_buy_survives_a_restart_and_fills_once_at_its_limit_when_a_price_crosses_it_and_a_resting_sell_can_be_cancelled()
    {
        await using var db = await TestDatabase.CreateAsync();
        var venues = new TestVenues();
        string buyId, sellId;
        await using (var node = await Start(db.ConnectionString, venues, create: true))
        {
            var placed = await node.Send(new PlaceManualOrder(Tenant, "dip", "paper-1", "BTCUSDT", OrderSide.Buy, 0.1m, null, OrderType.Limit, 49_000m));
            Assert.True(placed is ManualOrderPlaced, placed.ToString());
            var buy = (ManualOrderPlaced)placed;
            Assert.Equal(OrderStatus.Working, buy.Status);
            buyId = buy.ClientOrderId;
            // Prices above the limit leave it resting.
            node.PublishPrice("BTCUSDT", 49_500m);
            node.PublishPrice("BTCUSDT", 49_000.01m);
            await Task.Delay(500);
            Assert.Equal(OrderStatus.Working, (await Order(node, buyId))!.Status);
        }

        await using (var node = await Start(db.ConnectionString, venues, create: false))
        {
            // Recovered working; the tenant watches BTCUSDT again and the first price at or below the limit fills it.
            Assert.Equal(OrderStatus.Working, (await Order(node, buyId))!.Status);
            await Eventually.TrueAsync(async () =>
            {
                node.PublishPrice("BTCUSDT", 48_800m);
                return (await Order(node, buyId))!.Status == OrderStatus.Filled;
            }, TimeSpan.FromSeconds(15), "the resting buy fills");
            node.PublishPrice("BTCUSDT", 48_000m); // later crossings change nothing
            var filled = (await Order(node, buyId))!;
            Assert.Equal((0.1m, 49_000m, 4.9m), (filled.Fill!.Quantity, filled.Fill.Price, filled.Fill.Fee));
            var state = await node.Portfolio(Tenant);
            Assert.Equal(10_000m - 4_900m - 4.9m, state.Accounts["paper-1"].Paper!.Cash);
            Assert.Equal(0.1m, state.Accounts["paper-1"].Paper!.Held("BTCUSDT"));

            // A resting sell above the market, then cancelled by the trader: nothing sold.
            var sell = Assert.IsType<ManualOrderPlaced>(await node.Send(new PlaceManualOrder(Tenant, "take", "paper-1", "BTCUSDT", OrderSide.Sell, 0.1m, null,
                OrderType.Limit, 55_000m)));
            sellId = sell.ClientOrderId;
            Assert.Equal(OrderStatus.Working, sell.Status);
            var cancelled = Assert.IsType<OrderCancelAnswered>(await node.Send(new CancelOrder(Tenant, sellId)));
            Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
            node.PublishPrice("BTCUSDT", 56_000m);
            await Task.Delay(300);
            Assert.Equal(0.1m, (await node.Portfolio(Tenant)).Accounts["paper-1"].Paper!.Held("BTCUSDT"));
        }

        var events = await JournalFacts.OrderEventsAsync(db.ConnectionString, Tenant);
        Assert.Equal(["t.order-working.v1", "t.order-filled.v1"], events.Where(e => e.ClientOrderId == buyId).Select(e => e.Kind));
        Assert.Equal(["t.order-working.v1", "t.order-cancelled.v1"], events.Where(e => e.ClientOrderId == sellId).Select(e => e.Kind));
    }
}
