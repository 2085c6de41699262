using System.Text.Json;
using TradingActors.Engine;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class BadCommandTests
{
    /// <summary>
    /// One node-level smoke case per rule (every rejection reason is specified, pure, in
    /// Domain.Tests/Tenants/TenantCommandTests): each bad command reaches a real tenant through the
    /// shard region, is answered with its reason, and leaves the tenant's state and journal as they were.
    /// </summary>
    [Fact]
    public async Task Bad_commands_are_rejected_with_a_reason_and_change_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        var options = EngineNode.DefaultOptions(db.ConnectionString, new TestVenues());
        options.Strategies = [.. options.Strategies, new TradingActors.Domain.Strategies.StrategyDefinition("rsi-eth", "ETHUSDT")];
        await using var node = await EngineNode.StartAsync(options);
        await node.CreatePaperSubscriber("erin");
        var before = JsonSerializer.Serialize(await node.Portfolio("erin"));
        var journalBefore = await db.ScalarAsync("SELECT count(*) FROM journal WHERE persistence_id = 'tenant-erin'");

        (ITenantCommand Command, string Reason)[] bad =
        [
            (new SubscribeToStrategy("erin", "no-such-strategy", "paper-1", 100m), "unknown strategy"),
            (new SubscribeToStrategy("erin", "rsi-eth", "paper-1", -5m), "budget must be positive"),
            (new SubscribeToStrategy("erin", "rsi-eth", "paper-1", 0m), "budget must be positive"),
            (new SubscribeToStrategy("erin", "rsi-eth", "nope", 100m), "unknown account"),
            (new SubscribeToStrategy("erin", EngineNode.Strategy, "paper-1", 100m), "already subscribed"),
            (new UnsubscribeFromStrategy("erin", "rsi-eth"), "not subscribed"),
            (new PauseSubscription("erin", "rsi-eth"), "not subscribed"),
            (new ResumeSubscription("erin", EngineNode.Strategy), "already active"),
            (new LinkPaperAccount("erin", "paper-1", 10m), "already linked"),
            (new LinkPaperAccount("erin", "paper-2", -1m), "must not be negative"),
            (new CreateTenant("erin", "Erin again"), "already exists"),
            (new LinkPaperAccount("erin", "bad id!", 10m), "may contain only"),
            (new LinkBrokerAccount("erin", "ext-1", "nasdaq-direct", "ACC-1"), "unknown venue"),
        ];
        foreach (var (command, reason) in bad)
        {
            var rejected = Assert.IsType<CommandRejected>(await node.Send(command));
            Assert.True(rejected.Reason.Contains(reason), $"{command}: '{rejected.Reason}' does not say '{reason}'");
            Assert.Equal(command.GetType().Name, rejected.Command);
        }
        Assert.Equal(before, JsonSerializer.Serialize(await node.Portfolio("erin")));
        Assert.Equal(journalBefore, await db.ScalarAsync("SELECT count(*) FROM journal WHERE persistence_id = 'tenant-erin'"));
    }

    [Fact]
    public async Task Command_to_a_tenant_that_does_not_exist_is_rejected_and_persists_nothing()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var node = await EngineNode.StartAsync(EngineNode.DefaultOptions(db.ConnectionString, new TestVenues()));

        var reply = await node.Send(new LinkPaperAccount("ghost", "paper-1", 100m));

        Assert.Contains("does not exist", Assert.IsType<CommandRejected>(reply).Reason);
        Assert.False((await node.Portfolio("ghost")).Exists);
        Assert.Equal(0, await db.ScalarAsync("SELECT count(*) FROM journal WHERE persistence_id = 'tenant-ghost'"));
    }
}
