using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TradingActors.Api.Identity;
using TradingActors.Api.Tests.Infrastructure;
using static TradingActors.Api.Tests.Infrastructure.ApiCalls;
using TradingActors.Brokers.Simulated;
using TradingActors.Credentials;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Hosting;
using TradingActors.Engine.Tenants;
using TradingActors.Brokers.Paper;

namespace TradingActors.Api.Tests.Trading;

/// <summary>
/// Broker accounts through HTTP with the real engine: keys sealed before they reach the tenant, never shown or stored
/// in clear, opened only by the account's broker session (which the simulated venue's own key check proves), the
/// account rules (primary per venue, unlink refused while used) and master key rotation.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class BrokerAccountRoutesTests(ApiFixture api)
{
    private const string Price = "64000";

    private static object Simulated(string accountNumber, string secret = ApiFixture.SimulatedSecret, string label = "Sim main", string mode = "testnet") =>
        new { venue = "simulated", label, mode, credentials = new { apiKey = ApiFixture.SimulatedApiKey, secret, accountNumber } };

    private Task<HttpResponseMessage> Send(SignedInTrader s, HttpMethod method, string path, object? body = null, string? key = null) =>
        api.Send(s, method, path, body, key);

    private Task<HttpResponseMessage> Link(SignedInTrader s, object body, string? key = null) => Send(s, HttpMethod.Post, "/api/v1/broker-accounts", body, key);

    private static string Id(JsonElement body) => body.GetProperty("id").GetString()!;

    private static long Version(JsonElement body) => body.GetProperty("version").GetInt64();

    private SimulatedVenue Venue => (SimulatedVenue)api.Factory.Services.GetRequiredService<VenueRegistry>()[TradingEngineHosting.SimulatedVenueName];

    private async Task<JsonElement> Accounts(SignedInTrader s, long minVersion) =>
        await Json(await Send(s, HttpMethod.Get, $"/api/v1/broker-accounts?minVersion={minVersion}"));

    private static JsonElement Row(JsonElement accounts, string id) => accounts.EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);

    [Fact]
    public async Task A_linked_account_keeps_its_keys_sealed_shows_only_the_last_four_and_its_session_opens_them_to_verify_and_trade()
    {
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", decimal.Parse(Price));
        var s = await api.SignIn("sealed");
        var accountNumber = "SIM-" + Guid.NewGuid().ToString("N")[..10];

        var linked = await Link(s, Simulated(accountNumber, label: "  Sim main "), key: "link-1");
        var body = await Json(linked, HttpStatusCode.Created);
        var id = Id(body);
        Assert.Equal($"/api/v1/broker-accounts/{id}", linked.Headers.Location?.ToString());
        Assert.Equal(("simulated", "Sim main", "testnet", "unverified", "…WXYZ", true),
            (body.GetProperty("venue").GetString(), body.GetProperty("label").GetString(), body.GetProperty("mode").GetString(),
             body.GetProperty("status").GetString(), body.GetProperty("keyIdHint").GetString(), body.GetProperty("primary").GetBoolean()));
        var text = body.GetRawText();
        foreach (var secret in new[] { ApiFixture.SimulatedSecret, ApiFixture.SimulatedApiKey, accountNumber })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);

        // The same request again is the same account (one link, the first response).
        var again = await Link(s, Simulated(accountNumber, label: "  Sim main "), key: "link-1");
        Assert.Equal(id, Id(await Json(again, HttpStatusCode.Created)));
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());

        // The tenant holds ciphertext only: no venue number in clear, a data key wrapped by the master key.
        var state = await api.Tenant(s.TenantId);
        var account = state.Accounts[id];
        Assert.Equal("", account.VenueAccountNumber);
        Assert.StartsWith("v1.", account.SealedCredentials);
        Assert.StartsWith($"v1.{ApiFixture.FirstMasterKeyId}.", state.CredentialKey);
        Assert.Single(state.Accounts.Values, a => a.SealedCredentials is not null);

        // The check goes through the session: the simulated venue accepts only the pair it issued.
        var check = await Json(await Send(s, HttpMethod.Post, $"/api/v1/broker-accounts/{id}/verify"));
        Assert.Equal((true, "verified"), (check.GetProperty("passed").GetBoolean(), check.GetProperty("status").GetString()));
        var listed = Row(await Accounts(s, Version(check)), id);
        Assert.Equal(("verified", "Sim main"), (listed.GetProperty("status").GetString(), listed.GetProperty("label").GetString()));
        var paper = Row(await Accounts(s, Version(check)), "paper-1");
        Assert.Equal(("paper", "paper", "verified", true), (paper.GetProperty("venue").GetString(), paper.GetProperty("mode").GetString(),
            paper.GetProperty("status").GetString(), paper.GetProperty("primary").GetBoolean()));

        // An order on the account reaches the venue under the account number that was only ever sealed.
        var order = await Json(await Send(s, HttpMethod.Post, "/api/v1/orders", new { brokerAccountId = id, symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, "order-1"),
            HttpStatusCode.Created);
        var clientOrderId = order.GetProperty("id").GetString()!;
        await Eventually(async () => (await api.Tenant(s.TenantId)).Find(clientOrderId)?.Status == OrderStatus.Filled);
        Assert.Equal(1, Venue.OrderCount(accountNumber));

        // Nowhere in clear: not in the journal, snapshots, read models, idempotency records or the logs.
        foreach (var secret in new[] { ApiFixture.SimulatedSecret, ApiFixture.SimulatedApiKey, accountNumber })
        {
            Assert.Empty(await api.WhereInDatabase(secret));
            Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_alpaca_account_links_in_paper_mode_its_practice_environment()
    {
        var s = await api.SignIn("alpaca-paper");
        var credentials = new { apiKey = "PKTEST12345678", secret = "alpaca-secret-12345678", accountNumber = "PA3ABCDEFGH1" };

        var body = await Json(await Link(s, new { venue = "alpaca", label = "Alpaca paper", mode = "paper", credentials }), HttpStatusCode.Created);

        Assert.Equal(("alpaca", "paper"), (body.GetProperty("venue").GetString(), body.GetProperty("mode").GetString()));
        Assert.Equal(AccountMode.Paper, (await api.Tenant(s.TenantId)).Accounts[Id(body)].Mode);
    }

    [Fact]
    public async Task A_key_the_venue_refuses_links_but_fails_its_check_with_the_venues_reason_and_places_nothing()
    {
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", decimal.Parse(Price));
        var s = await api.SignIn("refused");
        var accountNumber = "SIM-" + Guid.NewGuid().ToString("N")[..10];
        var id = Id(await Json(await Link(s, Simulated(accountNumber, secret: "not-the-issued-secret")), HttpStatusCode.Created));

        var check = await Json(await Send(s, HttpMethod.Post, $"/api/v1/broker-accounts/{id}/verify"));
        Assert.False(check.GetProperty("passed").GetBoolean());
        Assert.Equal("failed", check.GetProperty("status").GetString());
        Assert.Equal("401 unauthorized: unknown API key or wrong secret", check.GetProperty("reason").GetString());
        var row = Row(await Accounts(s, Version(check)), id);
        Assert.Equal(("failed", "401 unauthorized: unknown API key or wrong secret"), (row.GetProperty("status").GetString(), row.GetProperty("statusReason").GetString()));

        var order = await Json(await Send(s, HttpMethod.Post, "/api/v1/orders", new { brokerAccountId = id, symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, "order-r"),
            HttpStatusCode.Created);
        var clientOrderId = order.GetProperty("id").GetString()!;
        await Eventually(async () => (await api.Tenant(s.TenantId)).Find(clientOrderId)?.Status == OrderStatus.Failed);
        Assert.Contains("401 unauthorized", (await api.Tenant(s.TenantId)).Find(clientOrderId)!.Reason);
        Assert.Equal(0, Venue.OrderCount(accountNumber));
    }

    public static TheoryData<string, string, string> BadLinks() => new()
    {
        { """{"venue":"paper","mode":"paper","credentials":{"apiKey":"K-12345678","secret":"S-12345678","accountNumber":"A1"}}""", "credentials", "paper takes no credentials" },
        { """{"venue":"simulated","mode":"testnet"}""", "credentials", "simulated needs an API key, a secret and an account number" },
        { """{"venue":"simulated","mode":"paper","credentials":{"apiKey":"K-12345678","secret":"S-12345678","accountNumber":"A1"}}""", "mode", "simulated offers testnet, live" },
        { """{"venue":"ftx","mode":"live","credentials":{"apiKey":"K-12345678","secret":"S-12345678","accountNumber":"A1"}}""", "venue", "this node offers alpaca, bybit, kis, oanda, paper, simulated" },
        { """{"venue":"oanda","mode":"live","credentials":{"apiKey":"K-12345678","secret":"S-12345678","accountNumber":"A1"}}""", "credentials.secret", "oanda takes no secret: its API token goes in apiKey" },
        { """{"venue":"simulated","mode":"live","credentials":{"apiKey":"short","secret":"S-12345678","accountNumber":"A1"}}""", "credentials.apiKey", "8 to 128 characters" },
        { """{"venue":"simulated","mode":"live","credentials":{"apiKey":"K-12345678","secret":"has a space","accountNumber":"A1"}}""", "credentials.secret", "only printable characters without spaces" },
        { """{"venue":"simulated","mode":"live","label":"   ","credentials":{"apiKey":"K-12345678","secret":"S-12345678","accountNumber":"A1"}}""", "label", "a label is required" },
    };

    [Theory]
    [MemberData(nameof(BadLinks))]
    public async Task A_bad_link_request_is_a_field_error_that_links_nothing_and_never_echoes_the_secret(string json, string field, string message)
    {
        var s = await api.SignIn("bad-link");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/broker-accounts") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        var response = await api.Client.SendAsync(request);
        var problem = await ProblemAssert.Is(response, HttpStatusCode.BadRequest);
        Assert.Equal([message], ProblemAssert.FieldErrors(problem, field));
        Assert.DoesNotContain("S-12345678", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(["paper-1"], (await api.Tenant(s.TenantId)).Accounts.Keys);
    }

    [Fact]
    public async Task Unknown_fields_in_credentials_are_refused()
    {
        var s = await api.SignIn("unknown-field");
        var response = await Link(s, new { venue = "simulated", mode = "live", credentials = new { apiKey = "K-12345678", secret = "S-12345678", accountNumber = "A1", pin = "1234" } });
        await ProblemAssert.Is(response, HttpStatusCode.BadRequest);
        Assert.Single((await api.Tenant(s.TenantId)).Accounts);
    }

    [Fact]
    public async Task One_primary_per_venue_a_label_of_ones_own_and_no_unlinking_while_a_subscription_uses_the_account()
    {
        var s = await api.SignIn("rules");
        var second = await Json(await Link(s, new { venue = "paper", mode = "paper", label = "Paper two" }), HttpStatusCode.Created);
        var id = Id(second);
        Assert.Equal(("Paper two", false), (second.GetProperty("label").GetString(), second.GetProperty("primary").GetBoolean()));

        var changed = await Json(await Send(s, HttpMethod.Patch, $"/api/v1/broker-accounts/{id}", new { label = "Swing", primary = true }));
        Assert.Equal(("Swing", true), (changed.GetProperty("label").GetString(), changed.GetProperty("primary").GetBoolean()));
        var accounts = await Accounts(s, Version(changed));
        Assert.True(Row(accounts, id).GetProperty("primary").GetBoolean());
        Assert.False(Row(accounts, "paper-1").GetProperty("primary").GetBoolean());

        var sub = await Json(await Send(s, HttpMethod.Post, "/api/v1/subscriptions", new { strategyId = "rsi-btc", brokerAccountId = id, budget = 500m }), HttpStatusCode.Created);
        var refused = await ProblemAssert.Is(await Send(s, HttpMethod.Delete, $"/api/v1/broker-accounts/{id}"), HttpStatusCode.Conflict, "broker-account-in-use");
        Assert.Equal($"account '{id}' is used by subscription {Id(sub)}: delete the subscription first", refused.GetProperty("detail").GetString());
        Assert.True((await api.Tenant(s.TenantId)).Accounts.ContainsKey(id));

        Assert.Equal(HttpStatusCode.OK, (await Send(s, HttpMethod.Delete, $"/api/v1/subscriptions/{Id(sub)}")).StatusCode);
        var unlinked = await Json(await Send(s, HttpMethod.Delete, $"/api/v1/broker-accounts/{id}"));
        await ProblemAssert.Is(await Send(s, HttpMethod.Get, $"/api/v1/broker-accounts/{id}?minVersion={Version(unlinked)}"), HttpStatusCode.NotFound, "broker-account-not-found");
        // The venue's primary went with it: the remaining paper account is primary again.
        Assert.True(Row(await Accounts(s, Version(unlinked)), "paper-1").GetProperty("primary").GetBoolean());

        var problem = await ProblemAssert.Is(await Send(s, HttpMethod.Patch, "/api/v1/broker-accounts/paper-1", new { primary = false }), HttpStatusCode.BadRequest);
        Assert.Equal(["Make another account of the venue primary instead."], ProblemAssert.FieldErrors(problem, "primary"));

        // The audit trail has every change, newest first.
        var audit = await Json(await Send(s, HttpMethod.Get, "/api/v1/audit?limit=10"));
        var kinds = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal([AuditKinds.BrokerAccountUnlinked, AuditKinds.SubscriptionDeleted, AuditKinds.SubscriptionCreated, AuditKinds.BrokerAccountChanged, AuditKinds.BrokerAccountLinked],
            kinds.Take(5));
    }

    [Fact]
    public async Task Another_users_account_is_not_found_on_every_route_and_no_token_is_unauthorized()
    {
        var owner = await api.SignIn("owner");
        var other = await api.SignIn("other");
        var id = Id(await Json(await Link(owner, new { venue = "paper", mode = "paper", label = "Mine" }), HttpStatusCode.Created));

        await ProblemAssert.Is(await Send(other, HttpMethod.Get, $"/api/v1/broker-accounts/{id}"), HttpStatusCode.NotFound);
        await ProblemAssert.Is(await Send(other, HttpMethod.Patch, $"/api/v1/broker-accounts/{id}", new { label = "Theirs" }), HttpStatusCode.NotFound);
        await ProblemAssert.Is(await Send(other, HttpMethod.Delete, $"/api/v1/broker-accounts/{id}"), HttpStatusCode.NotFound);
        await ProblemAssert.Is(await Send(other, HttpMethod.Post, $"/api/v1/broker-accounts/{id}/verify"), HttpStatusCode.NotFound);
        Assert.DoesNotContain((await Json(await Send(other, HttpMethod.Get, "/api/v1/broker-accounts"))).EnumerateArray(), a => a.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Trader.Get("/api/v1/broker-accounts", null)).StatusCode);
        Assert.Equal("Mine", (await api.Tenant(owner.TenantId)).Accounts[id].Label);
    }

    [Fact]
    public async Task Key_rotation_keeps_every_linked_account_usable()
    {
        api.Factory.Services.GetRequiredService<LatestPrices>().Update("BTCUSDT", decimal.Parse(Price));
        var keys = api.Factory.Services.GetRequiredService<KeyRingSource>();
        var original = keys.Current;
        var first = original.Find(ApiFixture.FirstMasterKeyId);
        var second = MasterKey.FromBase64("mk-rotated", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        try
        {
            var traders = new List<(SignedInTrader Trader, string Account, string Number)>();
            for (var i = 0; i < 3; i++)
            {
                var t = await api.SignIn($"rotation-{i}");
                var number = "SIM-" + Guid.NewGuid().ToString("N")[..10];
                traders.Add((t, Id(await Json(await Link(t, Simulated(number)), HttpStatusCode.Created)), number));
            }

            // Without the rewrap, removing the old master key leaves an account unusable, and says which key is missing.
            keys.Replace(MasterKeyRing.Of([second], second.Id));
            var broken = await Json(await Send(traders[0].Trader, HttpMethod.Post, $"/api/v1/broker-accounts/{traders[0].Account}/verify"));
            Assert.False(broken.GetProperty("passed").GetBoolean());
            Assert.Contains(ApiFixture.FirstMasterKeyId, broken.GetProperty("reason").GetString());

            // Rotation: the new key active beside the old one, every data key rewrapped, then the old key removed.
            keys.Replace(MasterKeyRing.Of([first, second], second.Id));
            foreach (var (t, _, _) in traders)
                await Eventually(async () => await CredentialKeyOf(t.TenantId) == ApiFixture.FirstMasterKeyId);
            var admin = await api.Admin("key-admin");
            var rewrap = await Json(await Send(admin, HttpMethod.Post, "/api/v1/admin/credential-keys/rewrap"));
            Assert.Equal(second.Id, rewrap.GetProperty("activeMasterKey").GetString());
            Assert.Empty(rewrap.GetProperty("failed").EnumerateArray());
            Assert.Equal(rewrap.GetProperty("tenants").GetInt32(), rewrap.GetProperty("rewrapped").GetInt32());
            foreach (var (t, _, _) in traders)
                Assert.StartsWith($"v1.{second.Id}.", (await api.Tenant(t.TenantId)).CredentialKey);
            await Eventually(async () => await StaleCredentialKeys(second.Id) == 0);
            var again = await Json(await Send(admin, HttpMethod.Post, "/api/v1/admin/credential-keys/rewrap"));
            Assert.Equal(0, again.GetProperty("tenants").GetInt32());

            keys.Replace(MasterKeyRing.Of([second], second.Id));
            foreach (var (t, account, number) in traders)
            {
                var check = await Json(await Send(t, HttpMethod.Post, $"/api/v1/broker-accounts/{account}/verify"));
                Assert.True(check.GetProperty("passed").GetBoolean(), check.GetRawText());
                var order = await Json(await Send(t, HttpMethod.Post, "/api/v1/orders", new { brokerAccountId = account, symbol = "BTCUSDT", side = "buy", quantity = 0.01m }, "rot-" + account),
                    HttpStatusCode.Created);
                var clientOrderId = order.GetProperty("id").GetString()!;
                await Eventually(async () => (await api.Tenant(t.TenantId)).Find(clientOrderId)?.Status == OrderStatus.Filled);
                Assert.Equal(1, Venue.OrderCount(number));
            }

            // A new account after the rotation is sealed under the same (rewrapped) data key.
            var later = Id(await Json(await Link(traders[1].Trader, Simulated("SIM-" + Guid.NewGuid().ToString("N")[..10], label: "Later")), HttpStatusCode.Created));
            Assert.True((await Json(await Send(traders[1].Trader, HttpMethod.Post, $"/api/v1/broker-accounts/{later}/verify"))).GetProperty("passed").GetBoolean());
        }
        finally
        {
            // Other tests keep sealing and opening: both keys stay, the new one active.
            keys.Replace(MasterKeyRing.Of([first, second], second.Id));
        }
    }

    /// <summary>The master key the tenant's data key is wrapped by, as the read model (which the rotation command reads) has it.</summary>
    private async Task<string?> CredentialKeyOf(string tenantId)
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT master_key_id FROM credential_keys WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task<long> StaleCredentialKeys(string activeId)
    {
        await using var connection = new NpgsqlConnection(api.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM credential_keys WHERE master_key_id <> $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = activeId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
