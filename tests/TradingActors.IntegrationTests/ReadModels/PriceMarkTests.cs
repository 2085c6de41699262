using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TradingActors.Engine.ReadModels;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests.ReadModels;

/// <summary>
/// Price marks (decision 030): the last price of each symbol in each minute, stamped on the engine's clock as it arrives,
/// written in batches; a minute keeps the later of two writes; minutes past the retention thin to the last of each hour.
/// </summary>
public sealed class PriceMarkTests
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero);

    private static PriceMarkRow Mark(string symbol, DateTimeOffset at, decimal price) => new(symbol, PriceMarkRow.MinuteOf(at), at, price);

    [Fact]
    public async Task A_minute_keeps_the_price_that_arrived_last_whatever_order_the_writes_come_in()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var store = new PriceMarkStore(source);

        await store.WriteAsync([Mark("BTCUSDT", T0.AddSeconds(40), 101m), Mark("ETHUSDT", T0.AddSeconds(5), 3_000m)]);
        await store.WriteAsync([Mark("BTCUSDT", T0.AddSeconds(10), 99m)]); // earlier in the same minute: too late to count
        await store.WriteAsync([Mark("BTCUSDT", T0.AddSeconds(59), 102m), Mark("BTCUSDT", T0.AddMinutes(1), 103m)]);
        await store.WriteAsync([]);

        Assert.Equal([(T0, T0.AddSeconds(59), 102m), (T0.AddMinutes(1), T0.AddMinutes(1), 103m)],
            (await store.ReadAsync("BTCUSDT")).Select(m => (m.Minute, m.At, m.Price)));
        Assert.Equal(3_000m, Assert.Single(await store.ReadAsync("ETHUSDT")).Price);
    }

    [Fact]
    public async Task Minutes_older_than_the_cutoff_thin_to_the_last_of_each_hour_and_newer_ones_stay()
    {
        await using var db = await TestDatabase.CreateAsync();
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var store = new PriceMarkStore(source);
        // Every 20 minutes over three hours (9:00 … 11:40) on two symbols: 18 rows.
        var marks = Enumerable.Range(0, 9).SelectMany(i => new[] { Mark("BTCUSDT", T0.AddMinutes(20 * i), 100m + i), Mark("ETHUSDT", T0.AddMinutes(20 * i), 10m + i) });
        await store.WriteAsync(marks.ToList());

        // Cut at 10:30: hour 9 keeps 9:40; hour 10 keeps 10:40 (past the cut), so 10:00 and 10:20 go; hour 11 stays whole.
        var deleted = await store.ThinAsync(T0.AddMinutes(90));

        Assert.Equal(2 * 4, deleted);
        Assert.Equal([T0.AddMinutes(40), T0.AddMinutes(100), T0.AddMinutes(120), T0.AddMinutes(140), T0.AddMinutes(160)],
            (await store.ReadAsync("BTCUSDT")).Select(m => m.Minute));
        Assert.Equal(5, (await store.ReadAsync("ETHUSDT")).Count);
        Assert.Equal(0, await store.ThinAsync(T0.AddMinutes(90)));
    }

    [Fact]
    public async Task The_recorder_keeps_the_last_price_of_each_minute_on_the_engines_clock()
    {
        await using var db = await TestDatabase.CreateAsync();
        // The API migrates at start; here the test reads the table before the recorder may have (it migrates on its own too).
        ReadModelSchema.Migrate(db.ConnectionString, NullLogger.Instance);
        var clock = new FakeTimeProvider(T0.AddSeconds(5));
        var options = EngineNode.DefaultOptions(db.ConnectionString, new TestVenues());
        options.Time = clock;
        options.ReadModels.Enabled = true;
        options.ReadModels.PriceMarkFlushInterval = TimeSpan.FromMilliseconds(100);
        await using var node = await EngineNode.StartAsync(options);
        await using var source = NpgsqlDataSource.Create(db.ConnectionString);
        var store = new PriceMarkStore(source);

        // The feed's own times are years off (a replay): the marks take the engine's clock.
        var replayed = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        async Task Price(decimal price, TimeSpan later)
        {
            clock.Advance(later);
            // Published again while it is not seen: the recorder may not have subscribed yet (same clock, same mark).
            await Eventually.TrueAsync(async () =>
            {
                node.PublishPrice("BTCUSDT", price, replayed);
                return (await store.ReadAsync("BTCUSDT")).LastOrDefault()?.Price == price;
            }, TimeSpan.FromSeconds(20), $"{price} recorded");
        }
        await Price(100m, TimeSpan.Zero);
        await Price(101m, TimeSpan.FromSeconds(20));
        await Price(105m, TimeSpan.FromMinutes(1));
        node.PublishPrice("BTCUSDT", 0m, replayed); // not a price: never a mark

        // The table away (a failed write): the minute is kept and written once it is back.
        async Task Sql(string sql)
        {
            await using var command = source.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }
        await Sql("ALTER TABLE price_marks RENAME TO price_marks_away");
        clock.Advance(TimeSpan.FromMinutes(1));
        node.PublishPrice("BTCUSDT", 107m, replayed);
        await Task.Delay(500);
        await Sql("ALTER TABLE price_marks_away RENAME TO price_marks");
        await Eventually.TrueAsync(async () => (await store.ReadAsync("BTCUSDT")).Count == 3, TimeSpan.FromSeconds(20), "the kept minute written");

        Assert.Equal([(T0, T0.AddSeconds(25), 101m), (T0.AddMinutes(1), T0.AddSeconds(85), 105m), (T0.AddMinutes(2), T0.AddSeconds(145), 107m)],
            (await store.ReadAsync("BTCUSDT")).Select(m => (m.Minute, m.At, m.Price)));
    }
}
