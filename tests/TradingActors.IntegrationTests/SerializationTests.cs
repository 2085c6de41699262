using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Paper;
using TradingActors.Domain.Strategies;
using TradingActors.Domain.Tenants;
using TradingActors.Engine;
using TradingActors.Engine.Fanout;
using TradingActors.Engine.Serialization;
using TradingActors.Engine.Strategies;
using TradingActors.Engine.Tenants;

namespace TradingActors.IntegrationTests;

public sealed class SerializationTests : IDisposable
{
    // Bound exactly as AddTradingEngine binds it (TradingSerializer.BoundTypes).
    private readonly ActorSystem _system = ActorSystem.Create("serialization", ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.trading = "{{typeof(TradingSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            {{string.Join("\n", TradingSerializer.BoundTypes.Select(t => $"\"{t.AssemblyQualifiedName}\" = trading"))}}
          }
        }
        """));

    [Fact]
    public void Every_message_and_event_type_has_a_short_manifest_without_type_names()
    {
        var marked = typeof(ITradingMessage).Assembly.GetTypes()
            .Concat(typeof(ITenantEvent).Assembly.GetTypes())
            .Where(t => t is { IsAbstract: false, IsInterface: false } && (typeof(ITradingMessage).IsAssignableFrom(t) || typeof(ITenantEvent).IsAssignableFrom(t)
                || typeof(Domain.Billing.IPlanCatalogEvent).IsAssignableFrom(t)))
            .ToList();
        Assert.NotEmpty(marked);
        var missing = marked.Where(t => !TradingSerializer.KnownTypes.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "no manifest for: " + string.Join(", ", missing));
    }

    public static TheoryData<object> Samples()
    {
        var intent = new OrderIntent(ClientOrderIds.Create("t", "a", "strategy:s", 7, 0), "a", "strategy:s", 7, "BTCUSDT", OrderSide.Buy, 0.0125m, 60_000.5m);
        var fill = new Fill(0.0125m, 60_030.51m, 0.75038138m, "P-1", DateTimeOffset.Parse("2026-01-02T03:04:05Z"));
        var signal = new Signal("s", 7, "BTCUSDT", OrderSide.Sell, 61_000m, DateTimeOffset.Parse("2026-01-02T03:04:05Z"), "RSI crossed");
        var limit = new OrderIntent(ClientOrderIds.Create("t", "x", "manual:req-2", 0, 0), "x", "manual:req-2", 0, "BTCUSDT", OrderSide.Sell, 0.5m, 60_000m, OrderType.Limit, 61_000.25m);
        var part = new Fill(0.125m, 61_000.25m, 0.07625031m, "V-77", DateTimeOffset.Parse("2026-01-02T03:04:05Z"));
        var state = TenantState.Empty("t")
            .Apply(new TenantCreated("t", "T", DateTimeOffset.UnixEpoch))
            .Apply(new PaperAccountLinked("a", 1_000m, DateTimeOffset.UnixEpoch))
            .Apply(new Subscribed("s", "a", "BTCUSDT", 500m, DateTimeOffset.UnixEpoch))
            .Apply(new OrderFilled(intent, fill, DateTimeOffset.UnixEpoch))
            .Apply(new SignalsSkipped("s", 8, 12, "stale", DateTimeOffset.UnixEpoch));
        // A tenant with a bot that traded, and its risk limits across its bots (decision 031).
        var bot = new Domain.Bots.BotConfig("b1", "rsi", "BTCUSDT", "a", """{"period":14,"oversold":30,"overbought":70}""", 500m, 60, new Domain.Bots.BotRisk(MaxDrawdownPercent: 20m));
        var botBuy = new OrderIntent(ClientOrderIds.Create("t", "a", "bot:b1", 1, 0), "a", "bot:b1", 1, "BTCUSDT", OrderSide.Buy, 0.004m, 60_000m);
        var risk = new Domain.Bots.TenantRisk(2_500.5m, 40, 12.5m);
        var withBots = state
            .Apply(new Domain.Bots.BotCreated(bot, DateTimeOffset.UnixEpoch))
            .Apply(new Domain.Bots.BotStarted("b1", DateTimeOffset.UnixEpoch))
            .Apply(new Domain.Bots.BotStepped("b1", 1, bot.CreateStrategy(null).Save(), ImmutableDictionary<long, Domain.Bots.BotFed>.Empty,
                [new Domain.Bots.BotLeg(-1, Place: botBuy)], 60_000m, DateTimeOffset.UnixEpoch))
            .Apply(new OrderFilled(botBuy, new Fill(0.004m, 60_030m, 0.24m, "P-2", DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch))
            .Apply(new Domain.Bots.TenantRiskLimitsSet(risk, DateTimeOffset.UnixEpoch));
        // A tenant on a paid plan that fell behind on payment, in its own time zone, with a trade counted today (decision 032).
        var onPlan = withBots
            .Apply(new Domain.Billing.TenantTimeZoneSet("Europe/Paris", DateTimeOffset.UnixEpoch))
            .Apply(new Domain.Billing.TenantPlanChanged(Domain.Billing.PlanCatalog.Pro, DateTimeOffset.Parse("2026-02-01T00:00:00Z"), DateTimeOffset.UnixEpoch))
            .Apply(new Domain.Billing.TenantPlanPastDue(DateTimeOffset.Parse("2026-02-08T00:00:00Z"), DateTimeOffset.UnixEpoch))
            .Apply(new OrderFilled(intent with { ClientOrderId = "c-2", Quantity = 0.0001m }, new Fill(0.0001m, 60_000m, 0.006m, "P-3", DateTimeOffset.Parse("2026-01-02T03:04:05Z")),
                DateTimeOffset.Parse("2026-01-02T03:04:05Z")))
            .Apply(new SubscriptionPaused("s", DateTimeOffset.UnixEpoch, Reason: "subscriptions: 1 of 1 on plan Free; Starter allows 5"));
        var catalog = new Domain.Billing.PlanCatalog([Domain.Billing.PlanCatalog.Free, Domain.Billing.PlanCatalog.Pro], ["starter"]);
        var catalogState = Domain.Billing.PlanCatalogState.Empty
            .Apply(new Domain.Billing.PlanCreated(Domain.Billing.PlanCatalog.Free, DateTimeOffset.UnixEpoch, "seed"))
            .Apply(new Domain.Billing.PlanCreated(Domain.Billing.PlanCatalog.Starter, DateTimeOffset.UnixEpoch, "seed"))
            .Apply(new Domain.Billing.PlanRetired("starter", DateTimeOffset.UnixEpoch, "admin-1"));
        return new TheoryData<object>
        {
            // the plan catalog and the tenant's plan commands (decision 032)
            new Domain.Billing.PlanCreated(Domain.Billing.PlanCatalog.Enterprise, DateTimeOffset.UnixEpoch, "seed"),
            new Domain.Billing.PlanUpdated(Domain.Billing.PlanCatalog.Pro with { MonthlyPrice = 59m, YearlyPrice = 590m }, DateTimeOffset.UnixEpoch, "admin-1"),
            new Domain.Billing.PlanRetired("starter", DateTimeOffset.UnixEpoch, "admin-1"),
            new Engine.Billing.PlanCatalogSnapshot(catalogState),
            new Engine.Billing.CreatePlan(Domain.Billing.PlanCatalog.Pro with { Id = "team", Name = "Team" }, "admin-1"),
            new Engine.Billing.UpdatePlan(Domain.Billing.PlanCatalog.Pro, "admin-1"),
            new Engine.Billing.RetirePlan("pro", "admin-1"),
            Engine.Billing.GetPlanCatalog.Instance,
            new Engine.Billing.PlanCatalogAnswer([new ParameterError("maxBots", "maxBots must be at least 1")], 5, catalog),
            new Engine.Billing.PlanCatalogPublished(5, catalog),
            new CreateTenant("t", "T", "free"),
            new CreateTenant("t", "T"),
            new ChangeTenantPlan("t", "pro", DateTimeOffset.Parse("2026-02-01T00:00:00Z")),
            new ChangeTenantPlan("t", "free"),
            new MarkTenantPlanPastDue("t", DateTimeOffset.Parse("2026-02-08T00:00:00Z")),
            new MarkTenantPlanPastDue("t"),
            new LapseTenantPlan("t"),
            new SetTenantTimeZone("t", "Europe/Paris"),
            new CommandRejected("t", "CreateBot", "bots: 1 of 1 on plan Free; Starter allows 5",
                new Domain.Billing.PlanRefusal(Domain.Billing.PlanLimit.Bots, "free", "starter", "bots: 1 of 1 on plan Free; Starter allows 5")),
            // plans (decision 032)
            new Domain.Billing.TenantPlanChanged(Domain.Billing.PlanCatalog.Starter, DateTimeOffset.Parse("2026-02-01T00:00:00Z"), DateTimeOffset.UnixEpoch),
            new Domain.Billing.TenantPlanChanged(Domain.Billing.PlanCatalog.Free, null, DateTimeOffset.UnixEpoch),
            new Domain.Billing.TenantPlanPastDue(DateTimeOffset.Parse("2026-02-08T00:00:00Z"), DateTimeOffset.UnixEpoch),
            new Domain.Billing.TenantPlanLapsed(Domain.Billing.PlanCatalog.Free, DateTimeOffset.UnixEpoch),
            new Domain.Billing.TenantTimeZoneSet("America/New_York", DateTimeOffset.UnixEpoch),
            new Domain.Bots.BotPaused("b1", DateTimeOffset.UnixEpoch, "bots: 1 of 1 on plan Free; Starter allows 5"),
            new Domain.Bots.BotPaused("b1", DateTimeOffset.UnixEpoch),
            new SubscriptionPaused("s", DateTimeOffset.UnixEpoch, "sub-1", "plan lapsed"),
            new TenantSnapshot(onPlan),
            // the tenant's risk limits across its bots (decision 031)
            new Domain.Bots.TenantRiskLimitsSet(risk, DateTimeOffset.UnixEpoch),
            new Domain.Bots.TenantRiskLimitsSet(Domain.Bots.TenantRisk.Off, DateTimeOffset.UnixEpoch),
            new SetTenantRisk("t", risk),
            new TenantSnapshot(withBots),
            new OrderFilled(intent, fill, DateTimeOffset.UnixEpoch),
            new OrderMarkedUnknown(intent, "timeout", DateTimeOffset.UnixEpoch),
            new TenantSnapshot(state),
            new ExecuteSignal("t", signal),
            new OrderNeedsAttention(intent, "no answer after 10 lookups", DateTimeOffset.UnixEpoch),
            new SignalsSkipped("s", 8, 12, "stale", DateTimeOffset.UnixEpoch),
            new Subscribed("s", "a", "BTCUSDT", 500m, DateTimeOffset.UnixEpoch, 41),
            new Subscribed("s", "a", "BTCUSDT", 500m, DateTimeOffset.UnixEpoch, 41, "sub-1"),
            new SignalsSkipped("s", 8, 12, "stale", DateTimeOffset.UnixEpoch, "sub-1"),
            new SubscriptionBudgetChanged("s", 250m, DateTimeOffset.UnixEpoch, "sub-1"),
            new ChangeSubscriptionBudget("t", "sub-1", 250m),
            new SubscriberRegistered("s", "t"),
            new CatchUpSignals("t", "s", 12),
            new DeliverSignal("s", 3, signal),
            new SignalAcknowledged("s", 3, "t", 12),
            new StrategySnapshot(7, [signal]),
            new RsiStrategyCheckpoint(7, 120, new RsiCheckpoint(14, 60_000.5m, 119, 12.25m, 8.5m, 41.2m)),
            new StrategyCheckpoint(7, 120, new StrategyDefinition("s", "BTCUSDT", "rsi", """{"period":14,"oversold":30,"overbought":70}"""),
                new RsiThresholdState(new Domain.Indicators.WilderRsi.State(14, 60_000.5, 119, 12.25, 8.5), double.NaN), Paused: true),
            new StrategyCheckpoint(8, 3, new StrategyDefinition("e", "ETHUSDT", "ema-cross", """{"fast":3,"slow":5}"""),
                new EmaCrossState(new Domain.Indicators.ExponentialMovingAverage.State(3, 3, 2.5), new Domain.Indicators.ExponentialMovingAverage.State(5, 3, 7), double.NaN), Paused: false),
            new RunStrategy(new StrategyDefinition("s", "BTCUSDT")),
            new StopRetiredStrategy("s"),
            new StrategyCreated(new StrategyDefinition("s", "BTCUSDT"), DateTimeOffset.UnixEpoch, "admin-1"),
            new StrategyRetired("s", DateTimeOffset.UnixEpoch, "admin-1"),
            new CreateStrategy(new StrategyDefinition("s", "BTCUSDT"), "admin-1"),
            new RetireStrategy("s", "admin-1"),
            GetStrategyCatalog.Instance,
            new StrategyCatalogAnswer(["unknown strategy 'x'"], 3, new StrategyCatalog([new StrategyDefinition("s", "BTCUSDT")], ["old"])),
            new StrategyCatalogPublished(3, new StrategyCatalog([new StrategyDefinition("s", "BTCUSDT")], ["old"])),
            new SignalsFetched("s", [signal], 9),
            new FanoutSnapshot(["t1", "t2"], 7),
            new CommandRejected("t", "SubscribeToStrategy", "unknown strategy 'x'"),
            // broker accounts: events
            new BrokerAccountLinked("x", "simulated", "", DateTimeOffset.UnixEpoch, "Main", AccountMode.Testnet, "kid-1", "sealed:v1:Zm9v"),
            new BrokerAccountLinked("x", "sim", "N-1", DateTimeOffset.UnixEpoch),
            new CredentialKeyIssued("wrapped:v1:YmFy", DateTimeOffset.UnixEpoch),
            new CredentialKeyRewrapped("wrapped:v2:YmF6", DateTimeOffset.UnixEpoch),
            new BrokerAccountRenamed("x", "Trading", DateTimeOffset.UnixEpoch),
            new PrimaryAccountChosen("x", DateTimeOffset.UnixEpoch),
            new BrokerAccountVerified("x", false, "401 unauthorized: invalid API key", DateTimeOffset.UnixEpoch),
            new BrokerAccountVerified("x", true, null, DateTimeOffset.UnixEpoch),
            new BrokerAccountUnlinked("x", DateTimeOffset.UnixEpoch),
            new VenueTokenStored("x", "v1.c2VhbGVk", DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch),
            new TenantSnapshot(state
                .Apply(new CredentialKeyIssued("wrapped:v1:YmFy", DateTimeOffset.UnixEpoch))
                .Apply(new BrokerAccountLinked("x", "simulated", "", DateTimeOffset.UnixEpoch, "Main", AccountMode.Live, "kid-1", "sealed:v1:Zm9v"))
                .Apply(new BrokerAccountLinked("y", "simulated", "", DateTimeOffset.UnixEpoch, null, AccountMode.Testnet, "kid-1", "sealed:v1:YmFy"))
                .Apply(new BrokerAccountVerified("x", false, "timeout", DateTimeOffset.UnixEpoch))
                .Apply(new BrokerAccountRenamed("a", "Sandbox", DateTimeOffset.UnixEpoch))
                .Apply(new VenueTokenStored("y", "v1.dG9rZW4", DateTimeOffset.UnixEpoch.AddDays(1), DateTimeOffset.UnixEpoch))),
            // broker accounts: commands and replies
            new LinkPaperAccount("t", "a", 1_000m, "Sandbox"),
            new LinkBrokerAccount("t", "x", "simulated", "", "Main", AccountMode.Live, "kid-1", "sealed:v1:Zm9v", "wrapped:v1:YmFy"),
            new LinkBrokerAccount("t", "x", "sim", "N-1"),
            new GetCredentialKey("t"),
            new CredentialKeyOf("t", "wrapped:v1:YmFy"),
            new CredentialKeyOf("t", null),
            new RenameBrokerAccount("t", "x", "Trading"),
            new ChoosePrimaryAccount("t", "x"),
            new UnlinkBrokerAccount("t", "x"),
            new VerifyBrokerAccount("t", "x"),
            new BrokerAccountChecked("t", "x", false, "401 unauthorized: invalid API key", 12),
            new RewrapCredentialKey("t"),
            new PlaceManualOrder("t", "req-1", "a", "BTCUSDT", OrderSide.Buy, null, 250m),
            new ManualOrderPlaced("t", intent.ClientOrderId, OrderStatus.Filled, null, 4),
            // working orders, partial fills and cancels (decision 024)
            new PlaceManualOrder("t", "req-2", "x", "BTCUSDT", OrderSide.Sell, 0.5m, null, OrderType.Limit, 61_000.25m),
            new OrderSubmitted(limit, DateTimeOffset.UnixEpoch),
            new OrderWorking(limit, null, "V-77", DateTimeOffset.UnixEpoch),
            new OrderWorking(limit, part, "V-77", DateTimeOffset.UnixEpoch),
            new OrderWorking(limit, part, null, DateTimeOffset.UnixEpoch),
            new OrderCancelled(limit, "cancelled by the client", DateTimeOffset.UnixEpoch),
            new CancelOrder("t", limit.ClientOrderId),
            new OrderCancelAnswered("t", limit.ClientOrderId, OrderStatus.Working, null, 9),
            new OrderCancelAnswered("t", limit.ClientOrderId, OrderStatus.Cancelled, "cancelled by the client", 10),
            new OrderCancelRefused("t", limit.ClientOrderId, CancelRefusal.Ended, "the order has already ended (filled)"),
            new OrderCancelRefused("t", "nope", CancelRefusal.UnknownOrder, "unknown order"),
            new TenantSnapshot(state
                .Apply(new BrokerAccountLinked("x", "sim", "N-1", DateTimeOffset.UnixEpoch))
                .Apply(new OrderSubmitted(limit, DateTimeOffset.UnixEpoch))
                .Apply(new OrderWorking(limit, part, "V-77", DateTimeOffset.UnixEpoch))
                .Apply(new OrderSubmitted(limit with { ClientOrderId = "c-2" }, DateTimeOffset.UnixEpoch))
                .Apply(new OrderCancelled(limit with { ClientOrderId = "c-2" }, "expired", DateTimeOffset.UnixEpoch))),
        };
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Messages_round_trip_through_the_bound_serializer(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<TradingSerializer>(serializer);
        var manifest = Serialization.ManifestFor(serializer, message);
        Assert.DoesNotContain("TradingActors", manifest);
        Assert.True(manifest.Length <= 24, manifest);

        var copy = _system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);

        // Records compare by value; the tenant state holds immutable collections, so compare their JSON.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(copy, copy.GetType()));
        Assert.Equal(message.GetType(), copy.GetType());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Generated_contracts_write_what_the_reflection_serializer_wrote_and_read_it_back(object message)
    {
        // Journals written before the compile-time contracts hold these bytes: they must stay readable, and new rows identical.
        var reflection = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)
        {
            Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
        };
        var serializer = _system.Serialization.FindSerializerFor(message);
        var before = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), reflection);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(before), System.Text.Encoding.UTF8.GetString(serializer.ToBinary(message)));
        var read = _system.Serialization.Deserialize(before, serializer.Identifier, Serialization.ManifestFor(serializer, message));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(before), System.Text.Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(read, read.GetType(), reflection)));
    }

    [Fact]
    public void A_tenant_snapshot_written_before_skips_existed_still_reads()
    {
        // TenantSnapshot JSON as the previous version wrote it: no recentSkips, no signalsSkipped.
        const string before = """
            {"state":{"tenantId":"t","exists":true,"displayName":"T","accounts":{},"subscriptions":{},"lastSignal":{"s":7},"open":{},"recent":[],
            "ordersFilled":3,"ordersRejected":0,"ordersFailed":1,"hasActiveSubscriptions":false}}
            """;
        var serializer = _system.Serialization.FindSerializerFor(new TenantSnapshot(TenantState.Empty("t")));
        var read = (TenantSnapshot)_system.Serialization.Deserialize(System.Text.Encoding.UTF8.GetBytes(before), serializer.Identifier, "t.snapshot.v1");
        Assert.Equal(7, read.State.LastProcessed("s"));
        Assert.Equal(3, read.State.OrdersFilled);
        Assert.Empty(read.State.Skips);
        Assert.Equal(0, read.State.SignalsSkipped);
        Assert.Equal(8, read.State.Apply(new SignalsSkipped("s", 8, 8, "stale", DateTimeOffset.UnixEpoch)).LastProcessed("s"));
    }

    [Fact]
    public void A_journal_written_before_subscription_ids_replays_into_the_default_subscription_and_new_events_take_v2_manifests()
    {
        // Events as the previous version wrote them (t.*.v1: no subscriptionId), then replayed through the serializer.
        var intent = new OrderIntent(ClientOrderIds.Create("t", "a", "strategy:s", 1, 0), "a", "strategy:s", 1, "BTCUSDT", OrderSide.Buy, 0.01m, 50_000m);
        var filled = new OrderFilled(intent, new Fill(0.01m, 50_000m, 0.5m, "P-1", DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(filled);
        (string Manifest, string Json)[] v1 =
        [
            ("t.created.v1", """{"tenantId":"t","displayName":"T","at":"1970-01-01T00:00:00+00:00"}"""),
            ("t.paper-linked.v1", """{"accountId":"a","startingCash":1000,"at":"1970-01-01T00:00:00+00:00"}"""),
            ("t.subscribed.v1", """{"strategyId":"s","accountId":"a","symbol":"BTCUSDT","budget":500,"at":"1970-01-01T00:00:00+00:00","startAfterSequence":0}"""),
            ("t.order-filled.v1", System.Text.Encoding.UTF8.GetString(serializer.ToBinary(filled))),
            ("t.signals-skipped.v1", """{"strategyId":"s","fromSequence":2,"toSequence":3,"reason":"stale","at":"1970-01-01T00:00:00+00:00"}"""),
            ("t.paused.v1", """{"strategyId":"s","at":"1970-01-01T00:00:00+00:00"}"""),
            ("t.resumed.v1", """{"strategyId":"s","at":"1970-01-01T00:00:00+00:00","startAfterSequence":5}"""),
        ];
        var state = TenantState.Empty("t");
        foreach (var (manifest, json) in v1)
            state = state.Apply((ITenantEvent)_system.Serialization.Deserialize(System.Text.Encoding.UTF8.GetBytes(json), serializer.Identifier, manifest));

        var sub = Assert.Single(state.Subscriptions).Value;
        Assert.Equal(("s", null, "strategy:s"), (sub.Key(), sub.SubscriptionId, sub.Source()));
        Assert.Equal(0.01m, sub.Held);
        Assert.Equal(5, state.LastProcessed("s"));
        Assert.Equal(SubscriptionStatus.Active, sub.Status);
        var unsubscribed = (Unsubscribed)_system.Serialization.Deserialize("""{"strategyId":"s","at":"1970-01-01T00:00:00+00:00"}"""u8.ToArray(), serializer.Identifier, "t.unsubscribed.v1");
        Assert.Empty(state.Apply(unsubscribed).Subscriptions);

        Assert.Equal("t.subscribed.v2", serializer.Manifest(new Subscribed("s", "a", "BTCUSDT", 1m, DateTimeOffset.UnixEpoch, 0, "sub-1")));
        Assert.Equal("t.signals-skipped.v2", serializer.Manifest(new SignalsSkipped("s", 1, 1, "stale", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.snapshot.v5", serializer.Manifest(new TenantSnapshot(state)));
        Assert.Equal("t.budget-changed.v1", serializer.Manifest(new SubscriptionBudgetChanged("s", 1m, DateTimeOffset.UnixEpoch, "sub-1")));
        foreach (var old in new[] { "t.subscribed.v1", "t.unsubscribed.v1", "t.paused.v1", "t.resumed.v1", "t.signals-skipped.v1", "t.snapshot.v1", "t.snapshot.v2", "t.snapshot.v3", "t.snapshot.v4", "t.broker-linked.v1",
                     "t.paused.v2", "t.bot-paused.v1" })
            Assert.Contains(old, TradingSerializer.ReadableManifests);
    }

    [Fact]
    public void Broker_account_events_take_their_manifests()
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new BrokerAccountUnlinked("x", DateTimeOffset.UnixEpoch));

        Assert.Equal("t.broker-linked.v2", serializer.Manifest(new BrokerAccountLinked("x", "sim", "N-1", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.credential-key.v1", serializer.Manifest(new CredentialKeyIssued("k", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.key-rewrapped.v1", serializer.Manifest(new CredentialKeyRewrapped("k", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.account-renamed.v1", serializer.Manifest(new BrokerAccountRenamed("x", "L", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.account-primary.v1", serializer.Manifest(new PrimaryAccountChosen("x", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.account-verified.v1", serializer.Manifest(new BrokerAccountVerified("x", true, null, DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.account-unlinked.v1", serializer.Manifest(new BrokerAccountUnlinked("x", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.venue-token.v1", serializer.Manifest(new VenueTokenStored("x", "v1.dG9r", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public void A_broker_link_written_before_broker_accounts_reads_as_a_primary_unverified_live_account()
    {
        // t.broker-linked.v1 as the previous version wrote it: no label, mode, key hint or sealed credentials.
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new BrokerAccountUnlinked("x", DateTimeOffset.UnixEpoch));
        var created = (ITenantEvent)_system.Serialization.Deserialize(
            """{"tenantId":"t","displayName":"T","at":"1970-01-01T00:00:00+00:00"}"""u8.ToArray(), serializer.Identifier, "t.created.v1");

        var read = _system.Serialization.Deserialize(
            """{"accountId":"x","venue":"sim","venueAccountNumber":"N-1","at":"1970-01-01T00:00:00+00:00"}"""u8.ToArray(), serializer.Identifier, "t.broker-linked.v1");

        var linked = Assert.IsType<BrokerAccountLinked>(read);
        Assert.Equal(new BrokerAccountLinked("x", "sim", "N-1", DateTimeOffset.UnixEpoch, null, null, null, null), linked);
        var account = TenantState.Empty("t").Apply(created).Apply(linked).Accounts["x"];
        Assert.Equal(("x", "sim", "N-1"), (account.AccountId, account.Venue, account.VenueAccountNumber));
        Assert.Null(account.Paper);
        Assert.True(account.IsPrimary);
        Assert.Equal(AccountStatus.Unverified, account.Status);
        Assert.Equal(AccountStatus.Unverified, account.EffectiveStatus);
        Assert.Null(account.StatusReason);
        Assert.Null(account.Mode);
        Assert.Equal(AccountMode.Live, account.EffectiveMode);
        Assert.Equal("sim live", account.DisplayLabel);
        Assert.Null(account.SealedCredentials);
    }

    [Fact]
    public void A_tenant_snapshot_written_before_broker_accounts_reads_with_their_defaults()
    {
        // TenantSnapshot JSON as the previous version wrote it (t.snapshot.v2): accounts without label, mode, key hint,
        // sealed credentials, isPrimary, status; no credentialKey.
        const string before = """
            {"state":{"tenantId":"t","exists":true,"displayName":"T",
            "accounts":{"a":{"accountId":"a","venue":"paper","venueAccountNumber":"a","paper":{"cash":750.5,"positions":{},"feesPaid":0.25},"isEmbeddedPaper":true},
                        "x":{"accountId":"x","venue":"sim","venueAccountNumber":"N-1","paper":null,"isEmbeddedPaper":false}},
            "subscriptions":{},"lastSignal":{"s":7},"open":{},"recent":[],"ordersFilled":3,"ordersRejected":0,"ordersFailed":1,
            "recentSkips":[],"signalsSkipped":0,"manualOrders":null,"hasActiveSubscriptions":false}}
            """;
        var serializer = _system.Serialization.FindSerializerFor(new TenantSnapshot(TenantState.Empty("t")));

        var read = (TenantSnapshot)_system.Serialization.Deserialize(System.Text.Encoding.UTF8.GetBytes(before), serializer.Identifier, "t.snapshot.v2");

        Assert.Null(read.State.CredentialKey);
        Assert.Equal(7, read.State.LastProcessed("s"));
        var paper = read.State.Accounts["a"];
        Assert.Equal(750.5m, paper.Paper!.Cash);
        Assert.Equal((null, null, null, null), (paper.Label, paper.Mode, paper.KeyIdHint, paper.SealedCredentials));
        Assert.Equal((false, AccountStatus.Unverified, (string?)null), (paper.IsPrimary, paper.Status, paper.StatusReason));
        Assert.Equal((AccountMode.Paper, "Paper", AccountStatus.Verified), (paper.EffectiveMode, paper.DisplayLabel, paper.EffectiveStatus));
        var external = read.State.Accounts["x"];
        Assert.Equal(new LinkedAccount("x", "sim", "N-1", null), external);
        Assert.Equal((AccountMode.Live, "sim live", AccountStatus.Unverified), (external.EffectiveMode, external.DisplayLabel, external.EffectiveStatus));
        // The snapshot's accounts never said which one is primary and read as none; the tenant recovers them with
        // WithPrimaryPerVenue (each venue's ordinal-first account, as the read model's migration does).
        var recovered = read.State.WithPrimaryPerVenue();
        Assert.Equal((true, true), (recovered.Accounts["a"].IsPrimary, recovered.Accounts["x"].IsPrimary));
        Assert.True(read.State.Apply(new PrimaryAccountChosen("x", DateTimeOffset.UnixEpoch)).Accounts["x"].IsPrimary);
        Assert.Equal("k", read.State.Apply(new CredentialKeyIssued("k", DateTimeOffset.UnixEpoch)).CredentialKey);
    }

    [Fact]
    public void Working_orders_and_cancels_take_their_manifests()
    {
        var intent = new OrderIntent("c-1", "x", "manual:k", 0, "BTCUSDT", OrderSide.Buy, 1m, 1m, OrderType.Limit, 1m);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new CancelOrder("t", "c-1"));

        Assert.Equal("t.order-working.v1", serializer.Manifest(new OrderWorking(intent, null, null, DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.order-cancelled.v1", serializer.Manifest(new OrderCancelled(intent, "expired", DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.cancel-order", serializer.Manifest(new CancelOrder("t", "c-1")));
        Assert.Equal("t.cancel-answered", serializer.Manifest(new OrderCancelAnswered("t", "c-1", OrderStatus.Cancelled, null, 1)));
        Assert.Equal("t.cancel-refused", serializer.Manifest(new OrderCancelRefused("t", "c-1", CancelRefusal.Ended, "ended")));
    }

    [Fact]
    public void A_tenant_snapshot_written_before_working_orders_reads_its_order_records_without_venue_order_ids()
    {
        // TenantSnapshot JSON as the previous version wrote it (t.snapshot.v3): order records without venueOrderId, intents
        // without type or limit price, no ordersCancelled.
        const string before = """
            {"state":{"tenantId":"t","exists":true,"displayName":"T","accounts":{},"subscriptions":{},"lastSignal":{},
            "open":{"o-1":{"intent":{"clientOrderId":"o-1","accountId":"x","source":"manual:k","sourceSequence":0,"symbol":"BTCUSDT","side":"Buy","quantity":0.01,"referencePrice":60000},
                           "status":"Unknown","fill":null,"reason":"timeout","at":"1970-01-01T00:00:05+00:00","submittedAt":"1970-01-01T00:00:00+00:00","isOpen":true}},
            "recent":[{"intent":{"clientOrderId":"o-0","accountId":"x","source":"manual:j","sourceSequence":0,"symbol":"BTCUSDT","side":"Buy","quantity":0.01,"referencePrice":60000},
                       "status":"Filled","fill":{"quantity":0.01,"price":60000,"fee":0.6,"venueOrderId":"V-1","time":"1970-01-01T00:00:00+00:00"},"reason":null,
                       "at":"1970-01-01T00:00:00+00:00","submittedAt":"1970-01-01T00:00:00+00:00","isOpen":false}],
            "ordersFilled":1,"ordersRejected":0,"ordersFailed":0,"recentSkips":[],"signalsSkipped":0,"manualOrders":null,"credentialKey":null,"suspension":null,
            "hasActiveSubscriptions":false}}
            """;
        var serializer = _system.Serialization.FindSerializerFor(new TenantSnapshot(TenantState.Empty("t")));

        var read = (TenantSnapshot)_system.Serialization.Deserialize(System.Text.Encoding.UTF8.GetBytes(before), serializer.Identifier, "t.snapshot.v3");

        var open = read.State.Open["o-1"];
        Assert.Equal((OrderStatus.Unknown, (string?)null, OrderType.Market, (decimal?)null), (open.Status, open.VenueOrderId, open.Intent.Type, open.Intent.LimitPrice));
        Assert.Null(read.State.Recent[0].VenueOrderId);
        Assert.Equal(0, read.State.OrdersCancelled);
        // The filled record's venue id still counts as known to the open order's lookups (from its fill).
        Assert.Equal(["V-1"], VenueLookup.Of(read.State, open, TimeSpan.Zero).KnownVenueOrderIds);
        var working = read.State.Apply(new OrderWorking(open.Intent, null, "V-2", DateTimeOffset.UnixEpoch));
        Assert.Equal((OrderStatus.Working, "V-2"), (working.Open["o-1"].Status, working.Open["o-1"].VenueOrderId));
    }

    [Fact]
    public void Pauses_written_before_they_had_reasons_read_as_the_traders_own_and_plan_events_take_their_manifests()
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new Domain.Bots.BotPaused("b", DateTimeOffset.UnixEpoch));

        var bot = (Domain.Bots.BotPaused)serializer.FromBinary("""{"botId":"b1","at":"1970-01-01T00:00:00+00:00"}"""u8.ToArray(), "t.bot-paused.v1");
        var sub = (SubscriptionPaused)serializer.FromBinary("""{"strategyId":"s","at":"1970-01-01T00:00:00+00:00","subscriptionId":"sub-1"}"""u8.ToArray(), "t.paused.v2");

        Assert.Equal(("b1", null), (bot.BotId, bot.Reason));
        Assert.Equal(("sub-1", null), (sub.SubscriptionId, sub.Reason));
        Assert.Equal("t.bot-paused.v2", serializer.Manifest(bot));
        Assert.Equal("t.paused.v3", serializer.Manifest(sub));
        Assert.Equal("t.plan-changed.v1", serializer.Manifest(new Domain.Billing.TenantPlanChanged(Domain.Billing.PlanCatalog.Free, null, DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.plan-past-due.v1", serializer.Manifest(new Domain.Billing.TenantPlanPastDue(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.plan-lapsed.v1", serializer.Manifest(new Domain.Billing.TenantPlanLapsed(Domain.Billing.PlanCatalog.Free, DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.time-zone-set.v1", serializer.Manifest(new Domain.Billing.TenantTimeZoneSet("UTC", DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public void The_tenant_risk_limits_take_their_manifests()
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new SetTenantRisk("t", Domain.Bots.TenantRisk.Off));

        Assert.Equal("t.risk-limits-set.v1", serializer.Manifest(new Domain.Bots.TenantRiskLimitsSet(Domain.Bots.TenantRisk.Off, DateTimeOffset.UnixEpoch)));
        Assert.Equal("t.set-risk", serializer.Manifest(new SetTenantRisk("t", Domain.Bots.TenantRisk.Off)));
    }

    [Fact]
    public void A_tenant_snapshot_written_before_tenant_risk_limits_reads_with_them_off_and_its_bots_priceless()
    {
        // TenantSnapshot JSON as the previous version wrote it (t.snapshot.v4): no risk, no botsPeakEquity, bots without a last price.
        const string before = """
            {"state":{"tenantId":"t","exists":true,"displayName":"T","accounts":{},"subscriptions":{},"lastSignal":{},"open":{},"recent":[],
            "ordersFilled":0,"ordersRejected":0,"ordersFailed":0,"recentSkips":[],"signalsSkipped":0,"manualOrders":null,"credentialKey":null,"suspension":null,
            "ordersCancelled":0,
            "bots":{"b1":{"config":{"botId":"b1","kind":"rsi","symbol":"BTCUSDT","accountId":"a","parameters":"{}","budget":500,"barSeconds":60,
                "risk":{"maxPosition":0,"stopLossPercent":0,"maxDrawdownPercent":0,"maxOpenOrders":10,"closeOnStop":true}},
              "status":"Running","sequence":3,"strategy":null,"fed":{},"orders":{},"pending":[],"cancelling":[],"refused":[],
              "ledger":{"position":0.004,"cost":240.36,"realised":12.5,"fees":0.5,"peakEquity":530,"roundTrips":1,"wins":1,"tripBase":12.5},
              "createdAt":"1970-01-01T00:00:00+00:00","updatedAt":"1970-01-01T00:00:00+00:00","stopReason":null,"nextOwnRef":-1}},
            "botsById":{},"hasActiveSubscriptions":false}}
            """;
        var serializer = _system.Serialization.FindSerializerFor(new TenantSnapshot(TenantState.Empty("t")));

        var read = (TenantSnapshot)_system.Serialization.Deserialize(System.Text.Encoding.UTF8.GetBytes(before), serializer.Identifier, "t.snapshot.v4");

        Assert.Null(read.State.Risk);
        Assert.Equal(Domain.Bots.TenantRisk.Off, read.State.RiskLimits);
        Assert.Equal(0m, read.State.BotsPeakEquity);
        // Before plans (decision 032): the legacy plan, UTC, nothing counted today.
        Assert.Null(read.State.Plan);
        Assert.Equal(Domain.Billing.Plan.Legacy, read.State.CurrentPlan().Limits);
        Assert.Null(read.State.TimeZoneId);
        var bot = read.State.BotsById["b1"];
        Assert.Equal(0m, bot.LastPrice);
        // No price seen: its position counts at cost (500 + 12.5); its next checkpoint starts the bots' peak from their equity.
        Assert.Equal(512.5m, Domain.Bots.TenantRiskDecisions.CombinedEquity(read.State));
        var next = read.State.Apply(new Domain.Bots.BotCheckpointed("b1", new Domain.Strategies.RsiThresholdState(new Domain.Indicators.WilderRsi.State(14, 60_000, 3, 1, 1), double.NaN),
            ImmutableDictionary<long, Domain.Bots.BotFed>.Empty, 65_000m, DateTimeOffset.UnixEpoch));
        Assert.Equal((65_000m, 532.14m), (next.BotsById["b1"].LastPrice, next.BotsPeakEquity));
    }

    [Fact]
    public void Decimal_amounts_survive_exactly()
    {
        var account = PaperAccount.Open(1_000.12345678m);
        var message = new TenantSnapshot(TenantState.Empty("t") with { Accounts = ImmutableDictionary<string, LinkedAccount>.Empty.Add("a", new LinkedAccount("a", "paper", "a", account)) });
        var serializer = _system.Serialization.FindSerializerFor(message);
        var copy = (TenantSnapshot)_system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Serialization.ManifestFor(serializer, message));
        Assert.Equal(1_000.12345678m, copy.State.Accounts["a"].Paper!.Cash);
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));
}
