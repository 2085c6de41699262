using System.Diagnostics;
using Npgsql;
using TradingActors.Brokers;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Tenants;

namespace TradingActors.Bench;

/// <summary>
/// The seeds' broadcaster, for comparison: read the strategy's active subscribers from a table, then
/// for all of them at once place a paper order and insert an execution row, one statement and one
/// pooled connection each, with no exactly-once guarantee.
/// </summary>
public static class Baseline
{
    public sealed record Result(double ElapsedMs, int Subscribers, int Filled, long Rows, double PoolWarmupMs);

    public static async Task<Result> RunAsync(string connectionString, int tenants, string strategyId, OrderSide side, decimal price, long signalSequence)
    {
        // Its subscribers all wait for the pool's 100 connections at once. Npgsql gives up on a pooled connection after
        // 15 s by default, which the tail of 100 000 subscribers passed ("connection pool exhausted"), so the broadcaster
        // failed instead of finishing. A longer wait lets it finish; at 10 000 the whole timed part takes ~5 s, so no wait
        // comes near 15 s and those figures are unchanged. It does not shorten the timed work, only keeps it from aborting.
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 600 }.ConnectionString);

        // Not timed: the tables and the subscriber rows (same tenants, budgets as the engine run).
        await using (var setup = dataSource.CreateCommand("""
            CREATE TABLE bench_subscribers(user_id text primary key, strategy_id text, budget numeric, status text);
            CREATE TABLE bench_executions(id bigserial primary key, user_id text, client_order_id text, symbol text, side text,
                quantity numeric, price numeric, fee numeric, created_at timestamptz default now());
            """))
            await setup.ExecuteNonQueryAsync();
        await using (var fill = dataSource.CreateCommand("""
            INSERT INTO bench_subscribers(user_id, strategy_id, budget, status)
            SELECT 'bench-' || lpad(i::text, 6, '0'), $1, 1000, 'active' FROM generate_series(0, $2 - 1) AS i
            """))
        {
            fill.Parameters.AddWithValue(strategyId);
            fill.Parameters.AddWithValue(tenants);
            await fill.ExecuteNonQueryAsync();
        }
        await using (var analyze = dataSource.CreateCommand("ANALYZE bench_subscribers"))
            await analyze.ExecuteNonQueryAsync();

        // Not timed: open the pool's connections once, as a long-running broadcaster would have them,
        // so the timed part does not pay for physical connection set-up.
        var warmup = Stopwatch.StartNew();
        var maxPool = new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
        var opened = await Task.WhenAll(Enumerable.Range(0, Math.Min(maxPool, tenants)).Select(_ => dataSource.OpenConnectionAsync().AsTask()));
        foreach (var connection in opened) await connection.DisposeAsync();
        warmup.Stop();

        var venue = new PaperExchange(new PaperVenueOptions(), new LatestPrices(), TimeProvider.System);
        var costs = new PaperVenueCosts(); // the paper venue's default costs: same sizing as the engine's tenants
        var instrument = Instruments.BtcUsdt;
        var source = Sources.Strategy(strategyId);
        var filled = 0;

        var clock = Stopwatch.StartNew();
        var subscribers = new List<(string UserId, decimal Budget)>(tenants);
        await using (var select = dataSource.CreateCommand("SELECT user_id, budget FROM bench_subscribers WHERE strategy_id = $1 AND status = 'active'"))
        {
            select.Parameters.AddWithValue(strategyId);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) subscribers.Add((reader.GetString(0), reader.GetDecimal(1)));
        }

        await Task.WhenAll(subscribers.Select(async subscriber =>
        {
            var quantity = side == OrderSide.Buy ? OrderSizing.BuyQuantity(subscriber.Budget, price, instrument, costs.CostFactor) : 0m;
            var intent = new OrderIntent(
                ClientOrderIds.Create(subscriber.UserId, "paper-1", source, signalSequence, leg: 0),
                "paper-1", source, signalSequence, instrument.Symbol, side, quantity, price);
            var result = await venue.PlaceOrderAsync(new BrokerAccount("paper-1", subscriber.UserId + "/paper-1"), intent, CancellationToken.None);
            if (result.Status != BrokerOrderStatus.Filled || result.Fill is not { } f) return;
            Interlocked.Increment(ref filled);
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO bench_executions(user_id, client_order_id, symbol, side, quantity, price, fee)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, connection);
            insert.Parameters.AddWithValue(subscriber.UserId);
            insert.Parameters.AddWithValue(intent.ClientOrderId);
            insert.Parameters.AddWithValue(intent.Symbol);
            insert.Parameters.AddWithValue(side.ToString());
            insert.Parameters.AddWithValue(f.Quantity);
            insert.Parameters.AddWithValue(f.Price);
            insert.Parameters.AddWithValue(f.Fee);
            await insert.ExecuteNonQueryAsync();
        }));
        clock.Stop();

        long rows;
        await using (var count = dataSource.CreateCommand("SELECT count(*) FROM bench_executions"))
            rows = (long)(await count.ExecuteScalarAsync())!;
        return new Result(clock.Elapsed.TotalMilliseconds, subscribers.Count, filled, rows, warmup.Elapsed.TotalMilliseconds);
    }
}
