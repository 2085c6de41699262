using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Brokers.Paper;
using TradingActors.Domain.Orders;
using TradingActors.Engine.ReadModels;
using TradingActors.Engine.Tenants;

namespace TradingActors.Api.Tests.Trading;

/// <summary>Manual orders and the trading reads, through HTTP, with the real engine and read models.</summary>
[Collection(ApiCollection.Name)]
public sealed class TradingRoutesTests(ApiFixture api)
{
    private const decimal Price = 50_000m;

    private Task<SignedInTrader> SignedIn(string name, string? plan = "pro")
    {
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", Price);
        return api.SignIn(name, plan);
    }

    private static object Buy(decimal quantity = 0.01m) => new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity };

    private async Task<HttpResponseMessage> PlaceOrder(SignedInTrader s, object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await api.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_manual_order_sent_twice_with_one_idempotency_key_is_one_order_in_orders_positions_and_portfolio()
    {
        var s = await SignedIn("manual");
        var first = await PlaceOrder(s, Buy(), "order-1");
        var placed = await Json(first, HttpStatusCode.Created);
        var id = placed.GetProperty("id").GetString()!;
        Assert.Equal("filled", placed.GetProperty("status").GetString());
        Assert.Equal($"/api/v1/orders/{id}", first.Headers.Location?.ToString());
        var version = placed.GetProperty("version").GetInt64();

        var again = await PlaceOrder(s, Buy(), "order-1");
        Assert.Equal(placed.GetRawText(), (await Json(again, HttpStatusCode.Created)).GetRawText());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());

        // One order in the tenant's ledger and in the read models.
        Assert.Equal(1, (await api.Tenant(s.TenantId)).OrdersFilled);
        var orders = await Json(await s.Trader.Get($"/api/v1/orders?minVersion={version}", s.Token));
        var order = Assert.Single(orders.GetProperty("items").EnumerateArray());
        Assert.Equal(id, order.GetProperty("id").GetString());
        Assert.Equal("buy", order.GetProperty("side").GetString());
        Assert.Equal(0.01m, order.GetProperty("filledQuantity").GetDecimal());
        Assert.Equal(id, (await Json(await s.Trader.Get($"/api/v1/orders/{id}", s.Token))).GetProperty("id").GetString());

        var fill = order.GetProperty("fillPrice").GetDecimal() * 0.01m + order.GetProperty("fee").GetDecimal();
        var position = Assert.Single((await Json(await s.Trader.Get("/api/v1/positions", s.Token))).EnumerateArray());
        Assert.Equal(0.01m, position.GetProperty("quantity").GetDecimal());
        Assert.Equal(0.01m * Price, position.GetProperty("marketValue").GetDecimal());
        var portfolio = await Json(await s.Trader.Get("/api/v1/portfolio", s.Token));
        var account = Assert.Single(portfolio.GetProperty("accounts").EnumerateArray());
        Assert.Equal(ApiFixture.PaperStartingCash - fill, account.GetProperty("cash").GetDecimal());
        Assert.Equal(ApiFixture.PaperStartingCash - fill + 0.01m * Price, account.GetProperty("equity").GetDecimal());
        var execution = Assert.Single((await Json(await s.Trader.Get("/api/v1/executions", s.Token))).GetProperty("items").EnumerateArray());
        Assert.Equal("filled", execution.GetProperty("kind").GetString());
        // How far the projection is shows in /readyz.
        var readModels = (await Json(await s.Trader.Get("/readyz", null))).GetProperty("readModels");
        Assert.True(readModels.GetProperty("projectedThrough").GetInt64() > 0);
        Assert.True(readModels.GetProperty("eventsBehind").GetInt64() >= 0);

        // The same key for another request is refused and places nothing.
        await ProblemAssert.Is(await PlaceOrder(s, Buy(0.02m), "order-1"), HttpStatusCode.UnprocessableEntity, "idempotency-key-reused");
        Assert.Equal(1, (await api.Tenant(s.TenantId)).OrdersFilled);
        // The caller's token is in no table (the order, its idempotency record, the journal).
        Assert.Empty(await api.WhereInDatabase(s.Token));
    }

    private async Task<HttpResponseMessage> Close(SignedInTrader s, string symbol, string account, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/positions/{symbol}/close") { Content = JsonContent.Create(new { brokerAccountId = account }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await api.Client.SendAsync(request);
    }

    [Fact]
    public async Task Closing_a_position_sells_what_the_account_holds_once_and_then_there_is_nothing_to_close()
    {
        var s = await SignedIn("close");
        await Json(await PlaceOrder(s, Buy(0.01m), "buy-1"), HttpStatusCode.Created);
        var bought = await Json(await PlaceOrder(s, Buy(0.02m), "buy-2"), HttpStatusCode.Created);
        await Json(await s.Trader.Get($"/api/v1/positions?minVersion={bought.GetProperty("version").GetInt64()}", s.Token));

        var closed = await Json(await Close(s, "btcusdt", "paper-1", "close-1"), HttpStatusCode.Created);
        Assert.Equal("filled", closed.GetProperty("status").GetString());
        var again = await Close(s, "btcusdt", "paper-1", "close-1");
        Assert.Equal(closed.GetRawText(), (await Json(again, HttpStatusCode.Created)).GetRawText());

        var state = await api.Tenant(s.TenantId);
        var sell = Assert.Single(state.Recent, o => o.Intent.Side == OrderSide.Sell);
        Assert.Equal((0.03m, "BTCUSDT"), (sell.Intent.Quantity, sell.Intent.Symbol));
        Assert.Equal(0m, state.Accounts["paper-1"].Paper!.Held("BTCUSDT"));
        var positions = await Json(await s.Trader.Get($"/api/v1/positions?minVersion={closed.GetProperty("version").GetInt64()}", s.Token));
        Assert.All(positions.EnumerateArray(), p => Assert.Equal(0m, p.GetProperty("quantity").GetDecimal()));

        await ProblemAssert.Is(await Close(s, "BTCUSDT", "paper-1", "close-2"), HttpStatusCode.NotFound, "position-not-found");
        var other = await SignedIn("close-other");
        await ProblemAssert.Is(await Close(other, "BTCUSDT", "paper-1", "close-x"), HttpStatusCode.NotFound, "position-not-found");
        Assert.Equal(3, (await api.Tenant(s.TenantId)).OrdersFilled);
    }

    [Fact]
    public async Task A_request_whose_answer_was_lost_is_retried_under_its_key_and_the_tenant_places_it_once()
    {
        var s = await SignedIn("lost-answer");
        // The API crashed after the engine placed the order: the tenant has it, the API has no stored answer.
        var engine = (ManualOrderPlaced)await api.Engine.Tenants.Ask<object>(
            new PlaceManualOrder(s.TenantId, "lost-1", "paper-1", "BTCUSDT", OrderSide.Buy, 0.01m, null), TimeSpan.FromSeconds(15));
        var retried = await Json(await PlaceOrder(s, Buy(), "lost-1"), HttpStatusCode.Created);
        Assert.Equal(engine.ClientOrderId, retried.GetProperty("id").GetString());
        Assert.Equal(1, (await api.Tenant(s.TenantId)).OrdersFilled);
    }

    [Fact]
    public async Task Without_a_key_each_request_is_an_order_and_pages_run_newest_first_without_overlap()
    {
        var s = await SignedIn("pages");
        var ids = new List<string>();
        long version = 0;
        for (var i = 0; i < 3; i++)
        {
            var placed = await Json(await PlaceOrder(s, Buy(0.001m), null), HttpStatusCode.Created);
            ids.Add(placed.GetProperty("id").GetString()!);
            version = placed.GetProperty("version").GetInt64();
        }
        var first = await Json(await s.Trader.Get($"/api/v1/orders?limit=2&minVersion={version}", s.Token));
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await Json(await s.Trader.Get($"/api/v1/orders?limit=2&cursor={cursor}", s.Token));
        Assert.False(second.TryGetProperty("nextCursor", out _));
        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(o => o.GetProperty("id").GetString()).ToList();
        Assert.Equal(3, seen.Distinct().Count());
        Assert.Equal(ids.ToHashSet(), seen.ToHashSet()!);
        Assert.Empty((await Json(await s.Trader.Get("/api/v1/orders?status=rejected", s.Token))).GetProperty("items").EnumerateArray());
        Assert.Equal(3, (await Json(await s.Trader.Get("/api/v1/orders?symbol=BTCUSDT&account=paper-1", s.Token))).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Another_users_orders_are_never_visible_and_no_route_answers_without_a_valid_token()
    {
        var alice = await SignedIn("alice");
        var bob = await SignedIn("bob");
        var placed = await Json(await PlaceOrder(alice, Buy(), "a-1"), HttpStatusCode.Created);
        var id = placed.GetProperty("id").GetString()!;
        var version = placed.GetProperty("version").GetInt64();
        Assert.Single((await Json(await alice.Trader.Get($"/api/v1/orders?minVersion={version}", alice.Token))).GetProperty("items").EnumerateArray());

        await ProblemAssert.Is(await bob.Trader.Get($"/api/v1/orders/{id}", bob.Token), HttpStatusCode.NotFound, "order-not-found");
        Assert.Empty((await Json(await bob.Trader.Get("/api/v1/orders", bob.Token))).GetProperty("items").EnumerateArray());
        Assert.Empty((await Json(await bob.Trader.Get("/api/v1/executions", bob.Token))).GetProperty("items").EnumerateArray());
        Assert.Empty((await Json(await bob.Trader.Get("/api/v1/positions", bob.Token))).EnumerateArray());
        var bobsPortfolio = await Json(await bob.Trader.Get("/api/v1/portfolio", bob.Token));
        Assert.Equal(ApiFixture.PaperStartingCash, Assert.Single(bobsPortfolio.GetProperty("accounts").EnumerateArray()).GetProperty("cash").GetDecimal());
        // Bob's key "a-1" is his own: a new order of his, not Alice's.
        var bobs = await Json(await PlaceOrder(bob, Buy(), "a-1"), HttpStatusCode.Created);
        Assert.NotEqual(id, bobs.GetProperty("id").GetString());

        foreach (var path in new[] { "/api/v1/orders", $"/api/v1/orders/{id}", "/api/v1/executions", "/api/v1/positions", "/api/v1/portfolio" })
        {
            await ProblemAssert.Is(await alice.Trader.Get(path, null), HttpStatusCode.Unauthorized);
            await ProblemAssert.Is(await alice.Trader.Get(path, "not-a-token"), HttpStatusCode.Unauthorized);
        }
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = JsonContent.Create(Buy()) };
        await ProblemAssert.Is(await api.Client.SendAsync(anonymous), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Bad_orders_are_refused_with_a_problem_and_change_nothing()
    {
        var s = await SignedIn("bad-orders");
        var unknownField = await ProblemAssert.Is(await PlaceOrder(s, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m, leverage = 100 }, null),
            HttpStatusCode.BadRequest, "validation");
        Assert.Equal(["Unknown field."], ProblemAssert.FieldErrors(unknownField, "leverage"));
        var both = await ProblemAssert.Is(await PlaceOrder(s, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "buy", quantity = 0.01m, notional = 100m }, null),
            HttpStatusCode.BadRequest, "validation");
        Assert.NotEmpty(ProblemAssert.FieldErrors(both, "quantity"));
        await ProblemAssert.Is(await PlaceOrder(s, new { brokerAccountId = "paper-1", symbol = "BTCUSDT", side = "hold", quantity = 0.01m }, null), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await PlaceOrder(s, Buy(), "not a key!"), HttpStatusCode.BadRequest, "validation");
        var unknownSymbol = await ProblemAssert.Is(await PlaceOrder(s, new { brokerAccountId = "paper-1", symbol = "DOGEUSDT", side = "buy", quantity = 1m }, null),
            HttpStatusCode.UnprocessableEntity, "order-refused");
        Assert.Equal("unknown symbol 'DOGEUSDT'", unknownSymbol.GetProperty("detail").GetString());
        await ProblemAssert.Is(await PlaceOrder(s, new { brokerAccountId = "live-9", symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, null),
            HttpStatusCode.UnprocessableEntity, "order-refused");
        await ProblemAssert.Is(await s.Trader.Get("/api/v1/orders?status=done", s.Token), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await s.Trader.Get("/api/v1/orders?cursor=zzz", s.Token), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await s.Trader.Get("/api/v1/orders?limit=0", s.Token), HttpStatusCode.BadRequest, "validation");
        var tenant = await api.Tenant(s.TenantId);
        Assert.Equal(0, tenant.OrdersFilled + tenant.OrdersRejected + tenant.OrdersFailed);
        Assert.Empty(tenant.Open);

        // Too large for the paper account: a rejected order, recorded with its reason.
        var rejected = await Json(await PlaceOrder(s, Buy(1m), "too-big"), HttpStatusCode.Created);
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("insufficient funds", rejected.GetProperty("reason").GetString());
        var version = rejected.GetProperty("version").GetInt64();
        var execution = Assert.Single((await Json(await s.Trader.Get($"/api/v1/executions?kind=rejected&minVersion={version}", s.Token))).GetProperty("items").EnumerateArray());
        Assert.Equal("insufficient funds", execution.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_user_over_the_per_user_limit_gets_429_with_retry_after_and_other_users_are_not_limited()
    {
        // Both on Free: the basic tier, a bucket of 10 refilled at 5 a second.
        var greedy = await SignedIn("greedy", plan: null);
        var calm = await SignedIn("calm", plan: null);
        // 300 at once against a bucket of 10 refilled at 5 a second: most are refused however slow the machine.
        var responses = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => greedy.Trader.Get("/api/v1/positions", greedy.Token)));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        await ProblemAssert.Is(limited[0], HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await calm.Trader.Get("/api/v1/positions", calm.Token)).StatusCode);
    }

    private sealed record StreamEvent(string Id, string Event, JsonElement Data);

    private async Task<(HttpResponseMessage Response, StreamReader Reader)> OpenStream(SignedInTrader s, string? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await api.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next <paramref name="count"/> events (comment lines skipped), or a timeout.</summary>
    private static async Task<List<StreamEvent>> NextEvents(StreamReader reader, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<StreamEvent>();
        string? id = null, name = null, data = null;
        while (events.Count < count)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the stream ended");
            if (line.StartsWith(':')) continue;
            if (line.Length == 0)
            {
                if (data is not null) events.Add(new StreamEvent(id!, name!, JsonSerializer.Deserialize<JsonElement>(data)));
                (id, name, data) = (null, null, null);
                continue;
            }
            var colon = line.IndexOf(':');
            var (field, value) = (line[..colon], line[(colon + 1)..].TrimStart());
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data = value; break;
            }
        }
        return events;
    }

    [Fact]
    public async Task The_stream_sends_the_callers_own_orders_and_executions_as_persisted_and_resumes_after_the_last_event_id()
    {
        var s = await SignedIn("stream");
        var other = await SignedIn("stream-other");
        var (mine, reader) = await OpenStream(s, null);
        var (theirs, otherReader) = await OpenStream(other, null);
        using (mine)
        using (theirs)
        {
            var id = (await Json(await PlaceOrder(s, Buy(), "s-1"), HttpStatusCode.Created)).GetProperty("id").GetString();
            var events = await NextEvents(reader, 2);
            Assert.Equal(["order", "execution"], events.Select(e => e.Event));
            Assert.Equal(id, events[0].Data.GetProperty("id").GetString());
            Assert.Equal("filled", events[0].Data.GetProperty("status").GetString());
            Assert.Equal("filled", events[1].Data.GetProperty("kind").GetString());
            Assert.Equal(id, events[1].Data.GetProperty("orderId").GetString());

            // The other trader's stream shows only the other trader's order.
            var theirId = (await Json(await PlaceOrder(other, Buy(), "o-1"), HttpStatusCode.Created)).GetProperty("id").GetString();
            var theirEvents = await NextEvents(otherReader, 2);
            Assert.All(theirEvents, e => Assert.NotEqual(id, e.Event == "order" ? e.Data.GetProperty("id").GetString() : e.Data.GetProperty("orderId").GetString()));
            Assert.Equal(theirId, theirEvents[0].Data.GetProperty("id").GetString());

            // Reconnecting after the first event gets exactly what came after it.
            var (resumed, resumedReader) = await OpenStream(s, events[0].Id);
            using (resumed)
            {
                var again = Assert.Single(await NextEvents(resumedReader, 1));
                Assert.Equal(events[1].Id, again.Id);
                Assert.Equal(events[1].Data.GetRawText(), again.Data.GetRawText());
            }
        }
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/v1/stream");
        bad.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        bad.Headers.Add("Last-Event-ID", "yesterday");
        await ProblemAssert.Is(await api.Client.SendAsync(bad), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.Is(await s.Trader.Get("/api/v1/stream", null), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_client_resuming_from_before_the_kept_window_gets_a_reset_then_what_came_after_the_window()
    {
        var s = await SignedIn("stream-pruned");
        var (first, reader) = await OpenStream(s, null);
        List<StreamEvent> old;
        using (first)
        {
            await Json(await PlaceOrder(s, Buy(), "p-1"), HttpStatusCode.Created);
            old = await NextEvents(reader, 2);
        }

        // Everything the stream holds is older than the window now (as days of retention would make it).
        await using (var source = Npgsql.NpgsqlDataSource.Create(api.Database.ConnectionString))
        {
            var pruned = await new TenantFeedRetention(source).PruneAsync(DateTimeOffset.UtcNow.AddDays(1));
            Assert.True(pruned.Rows >= 2);
            var (lastSeen, _) = ParseId(old[1].Id);
            Assert.True(pruned.PrunedBefore > lastSeen);
        }
        var newer = (await Json(await PlaceOrder(s, Buy(), "p-2"), HttpStatusCode.Created)).GetProperty("id").GetString();

        // Resuming after the first event: what followed it is gone, so a reset comes first, then the new order.
        var (resumed, resumedReader) = await OpenStream(s, old[0].Id);
        using (resumed)
        {
            var events = await NextEvents(resumedReader, 3);
            Assert.Equal(["reset", "order", "execution"], events.Select(e => e.Event));
            Assert.Equal("pruned", events[0].Data.GetProperty("reason").GetString());
            Assert.Equal(newer, events[1].Data.GetProperty("id").GetString());
            Assert.True(ParseId(events[0].Id).CompareTo(ParseId(events[1].Id)) < 0);

            // Resuming from the reset's own id is inside the window: no second reset.
            var (again, againReader) = await OpenStream(s, events[0].Id);
            using (again)
                Assert.Equal([events[1].Id, events[2].Id], (await NextEvents(againReader, 2)).Select(e => e.Id));
        }
    }

    private static (long EventId, short Part) ParseId(string id) =>
        (long.Parse(id[..id.IndexOf('.')], System.Globalization.CultureInfo.InvariantCulture),
            short.Parse(id[(id.IndexOf('.') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
