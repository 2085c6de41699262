using System.Text.Json;
using TradingActors.Engine;
using TradingActors.Engine.Tenants;
using TradingActors.IntegrationTests.Infrastructure;

namespace TradingActors.IntegrationTests;

public sealed class BadCommandTests
{
    public static TheoryData<string, string> BadCommands => new()
    {
        { "unknown-strategy", "unknown strategy" },
        { "negative-budget", "budget must be positive" },
        { "zero-budget", "budget must be positive" },
        { "unknown-account", "unknown account" },
        { "duplicate-subscription", "already subscribed" },
        { "unsubscribe-unsubscribed", "not subscribed" },
        { "pause-unsubscribed", "not subscribed" },
        { "resume-active", "already active" },
        { "duplicate-account", "already linked" },
        { "negative-cash", "must not be negative" },
        { "create-twice", "already exists" },
        { "bad-account-id", "may contain only" },
        { "unknown-venue", "unknown venue" },
    };

    [Theory]
    [MemberData(nameof(BadCommands))]
    public async Task Bad_command_is_rejected_with_a_reason_and_changes_nothing(string name, string reason)
    {
        await using var db = await TestDatabase.CreateAsync();
        var options = EngineNode.DefaultOptions(db.ConnectionString, new TestVenues());
        options.Strategies = [.. options.Strategies, new TradingActors.Domain.Strategies.StrategyDefinition("rsi-eth", "ETHUSDT")];
        await using var node = await EngineNode.StartAsync(options);
        await node.CreatePaperSubscriber("erin");
        var before = JsonSerializer.Serialize(await node.Portfolio("erin"));
        var journalBefore = await db.ScalarAsync("SELECT count(*) FROM journal WHERE persistence_id = 'tenant-erin'");

        ITenantCommand command = name switch
        {
            "unknown-strategy" => new SubscribeToStrategy("erin", "no-such-strategy", "paper-1", 100m),
            "negative-budget" => new SubscribeToStrategy("erin", "rsi-eth", "paper-1", -5m),
            "zero-budget" => new SubscribeToStrategy("erin", "rsi-eth", "paper-1", 0m),
            "unknown-account" => new SubscribeToStrategy("erin", "rsi-eth", "nope", 100m),
            "duplicate-subscription" => new SubscribeToStrategy("erin", EngineNode.Strategy, "paper-1", 100m),
            "unsubscribe-unsubscribed" => new UnsubscribeFromStrategy("erin", "rsi-eth"),
            "pause-unsubscribed" => new PauseSubscription("erin", "rsi-eth"),
            "resume-active" => new ResumeSubscription("erin", EngineNode.Strategy),
            "duplicate-account" => new LinkPaperAccount("erin", "paper-1", 10m),
            "negative-cash" => new LinkPaperAccount("erin", "paper-2", -1m),
            "create-twice" => new CreateTenant("erin", "Erin again"),
            "bad-account-id" => new LinkPaperAccount("erin", "bad id!", 10m),
            "unknown-venue" => new LinkBrokerAccount("erin", "ext-1", "nasdaq-direct", "ACC-1"),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var reply = await node.Send(command);

        var rejected = Assert.IsType<CommandRejected>(reply);
        Assert.Contains(reason, rejected.Reason);
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
