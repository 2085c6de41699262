using System.Net;
using System.Text.Json;
using Npgsql;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Identity;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;
using TradingActors.Engine.Strategies;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Plans through the API (decision 032): a new user is on Free and sees its limits and usage; going over a limit is a 402
/// plan-limit problem naming the limit and the plan that lifts it, and changes nothing; an operator's move to Pro lifts the
/// limits and the rate tier at once; the time zone sets the day; admins edit plans at run time; traders cannot.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BillingRoutesTests(ApiFixture api)
{
    private static async Task<Dictionary<string, (int Used, int? Allowed)>> Usage(SignedInTrader s)
    {
        var billing = await Json(await s.Trader.Get("/api/v1/billing", s.Token));
        return billing.GetProperty("usage").EnumerateArray().ToDictionary(u => u.GetProperty("limit").GetString()!,
            u => (u.GetProperty("used").GetInt32(), u.TryGetProperty("allowed", out var allowed) ? allowed.GetInt32() : (int?)null)); // absent: no limit
    }

    private static object Bot(string id, string symbol) => new
    {
        id, kind = "rsi", symbol, brokerAccountId = "paper-1", budget = 500m, barSeconds = 60, parameters = new { period = 14, oversold = 30, overbought = 70 },
    };

    /// <summary>Audit rows of this kind whose detail contains <paramref name="detail"/> (the tests share one database).</summary>
    private async Task<long> Audited(string kind, string detail)
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM audit WHERE kind = $1 AND strpos(detail, $2) > 0", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        command.Parameters.Add(new NpgsqlParameter { Value = detail });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_new_user_is_on_free_over_a_limit_gets_402_naming_the_lifting_plan_and_a_move_to_pro_lifts_limits_and_rate_tier()
    {
        var admin = await api.Admin("billing-admin");
        var s = await api.SignIn("billing-free", plan: null);

        // The plans on sale, for anyone.
        var plans = await Json(await api.Client.GetAsync("/api/v1/plans"));
        Assert.Equal(["free", "starter", "pro", "enterprise"], plans.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        var pro = plans.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "pro");
        Assert.Equal((49m, 490m, "high", 100, 200), (pro.GetProperty("monthlyPrice").GetDecimal(), pro.GetProperty("yearlyPrice").GetDecimal(),
            pro.GetProperty("apiRateTier").GetString(), pro.GetProperty("requestsPerSecond").GetInt32(), pro.GetProperty("burst").GetInt32()));
        Assert.False(plans.EnumerateArray().Last().TryGetProperty("tradesPerDay", out _)); // Enterprise: no limit, left out

        // Signed up on Free: its limits and what the user uses of them.
        var billing = await Json(await s.Trader.Get("/api/v1/billing", s.Token));
        Assert.Equal(("free", "active", "UTC"), (billing.GetProperty("plan").GetProperty("id").GetString(), billing.GetProperty("status").GetString(),
            billing.GetProperty("timeZone").GetString()));
        Assert.False(billing.GetProperty("plan").GetProperty("liveTrading").GetBoolean());
        Assert.Equal((0, 1), (await Usage(s))["maxBots"]);

        // One bot fits; a second is over the plan: 402 naming the limit and Starter, and nothing is created.
        await Json(await s.Trader.Post("/api/v1/bots", s.Token, Bot("rsi-1", "BTCUSDT")), HttpStatusCode.Created);
        var over = await ProblemAssert.Is(await s.Trader.Post("/api/v1/bots", s.Token, Bot("rsi-2", "ETHUSDT")), HttpStatusCode.PaymentRequired, "plan-limit");
        Assert.Equal(("maxBots", "free", "starter"), (over.GetProperty("limit").GetString(), over.GetProperty("plan").GetString(), over.GetProperty("liftingPlan").GetString()));
        Assert.Equal("bots: 1 of 1 on plan Free; Starter allows 5", over.GetProperty("detail").GetString());
        Assert.Single((await Json(await s.Trader.Get("/api/v1/bots", s.Token))).EnumerateArray());
        Assert.Equal((1, 1), (await Usage(s))["maxBots"]);
        // The same for a second subscription (to a second strategy an admin made).
        await Json(await admin.Trader.Post("/api/v1/admin/strategies", admin.Token, new { id = "ema-billing", kind = "ema-cross", symbol = "ETHUSDT" }), HttpStatusCode.Created);
        var first = await Json(await s.Trader.Post("/api/v1/subscriptions", s.Token, new { strategyId = "rsi-btc", brokerAccountId = "paper-1", budget = 500m }),
            HttpStatusCode.Created);
        var overSubscribed = await ProblemAssert.Is(await s.Trader.Post("/api/v1/subscriptions", s.Token, new { strategyId = "ema-billing", brokerAccountId = "paper-1", budget = 400m }),
            HttpStatusCode.PaymentRequired, "plan-limit");
        Assert.Equal(("maxSubscriptions", "starter"), (overSubscribed.GetProperty("limit").GetString(), overSubscribed.GetProperty("liftingPlan").GetString()));
        Assert.Single((await Json(await s.Trader.Get($"/api/v1/subscriptions?minVersion={first.GetProperty("version").GetInt64()}", s.Token))).EnumerateArray());

        // Free's basic rate tier: 40 requests at once, most refused.
        var burst = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => s.Trader.Get("/api/v1/billing", s.Token)));
        Assert.Contains(burst, r => r.StatusCode == HttpStatusCode.TooManyRequests);

        // A trader cannot move anyone; an operator moves the user to Pro: limits and rate tier lifted at once.
        var userId = s.TenantId; // a user's tenant id is its user id (hex)
        await ProblemAssert.Is(await s.Trader.Send(HttpMethod.Put, $"/api/v1/admin/users/{Guid.Parse(userId)}/plan", s.Token, new { planId = "pro" }),
            HttpStatusCode.Forbidden);
        await ProblemAssert.Is(await admin.Trader.Send(HttpMethod.Put, $"/api/v1/admin/users/{Guid.Parse(userId)}/plan", admin.Token, new { planId = "gold" }),
            HttpStatusCode.UnprocessableEntity, "plan-refused");
        var periodEnd = DateTimeOffset.UtcNow.AddDays(30);
        var moved = await Json(await admin.Trader.Send(HttpMethod.Put, $"/api/v1/admin/users/{Guid.Parse(userId)}/plan", admin.Token, new { planId = "pro", periodEnd }));
        Assert.Equal(("pro", "active"), (moved.GetProperty("plan").GetProperty("id").GetString(), moved.GetProperty("status").GetString()));
        Assert.Equal(1, await Audited(AuditKinds.PlanChanged, $"moved user {Guid.Parse(userId)} to plan pro"));
        var lifted = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => s.Trader.Get("/api/v1/billing", s.Token)));
        Assert.All(lifted, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await Json(await s.Trader.Post("/api/v1/bots", s.Token, Bot("rsi-2", "ETHUSDT")), HttpStatusCode.Created);
        var usage = await Usage(s);
        Assert.Equal(((2, 20), (2, 20), (1, 20)), (usage["maxBots"], usage["maxPairs"], usage["maxSubscriptions"]));
        var now = await Json(await s.Trader.Get("/api/v1/billing", s.Token));
        Assert.Equal(periodEnd.ToUnixTimeSeconds(), now.GetProperty("periodEnd").GetDateTimeOffset().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task The_time_zone_is_an_iana_name_set_once_a_bad_one_is_a_field_error_and_changes_nothing()
    {
        var s = await api.SignIn("billing-zone", plan: null);
        foreach (var bad in new object[] { new { timeZone = "Mars/Olympus" }, new { timeZone = "europe/paris" }, new { timeZone = "" } })
        {
            var problem = await ProblemAssert.Is(await s.Trader.Send(HttpMethod.Put, "/api/v1/billing/time-zone", s.Token, bad), HttpStatusCode.BadRequest, "validation");
            Assert.Single(ProblemAssert.FieldErrors(problem, "timeZone"));
        }
        Assert.Equal("UTC", (await Json(await s.Trader.Get("/api/v1/billing", s.Token))).GetProperty("timeZone").GetString());

        // The day is the engine's (its clock counts the trades), in the zone: UTC+14 is the UTC day after until 10:00 UTC.
        var before = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(14));
        var set = await Json(await s.Trader.Send(HttpMethod.Put, "/api/v1/billing/time-zone", s.Token, new { timeZone = "Pacific/Kiritimati" }));
        var after = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(14));
        Assert.Equal("Pacific/Kiritimati", set.GetProperty("timeZone").GetString());
        Assert.Contains(DateOnly.Parse(set.GetProperty("day").GetString()!), new[] { before, after });
        Assert.Equal(1, await Audited(AuditKinds.TimeZoneSet, "Pacific/Kiritimati"));
    }

    [Fact]
    public async Task Admins_put_plans_on_sale_edit_and_retire_them_field_errors_change_nothing_and_traders_cannot()
    {
        var admin = await api.Admin("plans-admin");
        var trader = await api.SignIn("plans-trader");
        const string path = "/api/v1/admin/plans";
        var team = new
        {
            id = "team", name = "Team", maxBots = 10, maxPairs = 8, maxSubscriptions = 10, tradesPerDay = 10_000, openPositions = (int?)null,
            liveTrading = true, apiRateTier = "standard", monthlyPrice = 29m, yearlyPrice = 290m,
        };

        await ProblemAssert.Is(await trader.Trader.Post(path, trader.Token, team), HttpStatusCode.Forbidden);
        var missing = await ProblemAssert.Is(await admin.Trader.Post(path, admin.Token, new { id = "team" }), HttpStatusCode.BadRequest, "validation");
        Assert.Single(ProblemAssert.FieldErrors(missing, "maxBots"));
        Assert.Single(ProblemAssert.FieldErrors(missing, "monthlyPrice"));
        var rules = await ProblemAssert.Is(await admin.Trader.Post(path, admin.Token, team with { maxPairs = 11, apiRateTier = "turbo", yearlyPrice = 400m }),
            HttpStatusCode.BadRequest, "validation");
        Assert.Single(ProblemAssert.FieldErrors(rules, "maxPairs"));
        Assert.Contains("unknown API rate tier 'turbo'", ProblemAssert.FieldErrors(rules, "apiRateTier").Single());
        Assert.Contains("at most 12 × monthlyPrice", ProblemAssert.FieldErrors(rules, "yearlyPrice").Single());
        Assert.DoesNotContain("team", (await Json(await api.Client.GetAsync("/api/v1/plans"))).EnumerateArray().Select(p => p.GetProperty("id").GetString()));

        var created = await Json(await admin.Trader.Post(path, admin.Token, team), HttpStatusCode.Created);
        Assert.False(created.TryGetProperty("openPositions", out _));
        Assert.Contains("team", (await Json(await api.Client.GetAsync("/api/v1/plans"))).EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        await ProblemAssert.Is(await admin.Trader.Post(path, admin.Token, team with { name = "Team 2" }), HttpStatusCode.Conflict, "plan-exists");

        var updated = await Json(await admin.Trader.Send(HttpMethod.Put, $"{path}/team", admin.Token, team with { id = "ignored", monthlyPrice = 39m, yearlyPrice = 390m }));
        Assert.Equal(("team", 39m), (updated.GetProperty("id").GetString(), updated.GetProperty("monthlyPrice").GetDecimal()));
        await ProblemAssert.Is(await admin.Trader.Send(HttpMethod.Put, $"{path}/nope", admin.Token, team), HttpStatusCode.NotFound, "plan-not-found");

        // A user moved to the new plan has its limits.
        await Json(await admin.Trader.Send(HttpMethod.Put, $"/api/v1/admin/users/{Guid.Parse(trader.TenantId)}/plan", admin.Token, new { planId = "team" }));
        Assert.Equal((0, 10), (await Usage(trader))["maxBots"]);

        var retired = await Json(await admin.Trader.Post($"{path}/team/retire", admin.Token));
        Assert.Contains("team", retired.GetProperty("retired").EnumerateArray().Select(x => x.GetString()));
        Assert.DoesNotContain("team", (await Json(await api.Client.GetAsync("/api/v1/plans"))).EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        // The user keeps what it has; nobody new is moved to it; Free can never be retired.
        Assert.Equal("team", (await Json(await trader.Trader.Get("/api/v1/billing", trader.Token))).GetProperty("plan").GetProperty("id").GetString());
        await ProblemAssert.Is(await admin.Trader.Send(HttpMethod.Put, $"/api/v1/admin/users/{Guid.Parse(admin.TenantId)}/plan", admin.Token, new { planId = "team" }),
            HttpStatusCode.UnprocessableEntity, "plan-refused");
        await ProblemAssert.Is(await admin.Trader.Post($"{path}/free/retire", admin.Token), HttpStatusCode.Conflict, "plan-refused");
        Assert.Equal(3, await Audited(AuditKinds.PlanCatalogChanged, "plan team"));
    }

    [Fact]
    public async Task A_buy_over_the_days_trades_is_a_skipped_execution_the_user_sees_with_the_reason()
    {
        var admin = await api.Admin("quota-admin");
        var s = await api.SignIn("quota-trader", plan: null);
        var oneTrade = new
        {
            id = "one-trade", name = "One trade", maxBots = 1, maxPairs = 1, maxSubscriptions = 1, tradesPerDay = 1, openPositions = 2,
            liveTrading = false, apiRateTier = "high", monthlyPrice = 0m, yearlyPrice = 0m,
        };
        await Json(await admin.Trader.Post("/api/v1/admin/plans", admin.Token, oneTrade), HttpStatusCode.Created);
        await Json(await admin.Trader.Send(HttpMethod.Put, $"/api/v1/admin/users/{Guid.Parse(s.TenantId)}/plan", admin.Token, new { planId = "one-trade" }));
        await Json(await s.Trader.Post("/api/v1/subscriptions", s.Token, new { strategyId = "rsi-btc", brokerAccountId = "paper-1", budget = 500m }), HttpStatusCode.Created);
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", 50_000m);

        async Task<long> Emit(OrderSide side)
        {
            var signal = (await api.Engine.Strategies.Ask<SignalPublished>(new EmitManualSignal("rsi-btc", side, 50_000m), TimeSpan.FromSeconds(15))).Signal;
            await Eventually(async () => (await api.Tenant(s.TenantId)).SettledThrough("rsi-btc") >= signal.Sequence, $"signal {signal.Sequence} settled");
            return signal.Sequence;
        }
        await Emit(OrderSide.Buy);  // placed: 1 of 1 today
        await Emit(OrderSide.Sell); // a sell is never held by a quota; it counts: 2
        var skipped = await Emit(OrderSide.Buy);

        JsonElement skip = default;
        await Eventually(async () =>
        {
            var executions = await Json(await s.Trader.Get("/api/v1/executions?kind=skipped", s.Token));
            skip = executions.GetProperty("items").EnumerateArray().FirstOrDefault(e => e.GetProperty("toSequence").GetInt64() == skipped);
            return skip.ValueKind == JsonValueKind.Object;
        }, "the skipped execution projected");
        Assert.StartsWith("trades per day: 2 of 1 today (UTC) on plan One trade", skip.GetProperty("reason").GetString());
        var usage = await Usage(s);
        Assert.Equal((2, 1), usage["tradesPerDay"]);
    }
}
