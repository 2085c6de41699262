using TradingActors.Brokers.Paper;
using TradingActors.Brokers.Simulated;
using TradingActors.Domain.Orders;

namespace TradingActors.Brokers.Tests;

/// <summary>
/// The simulated venue's credential check (its "authenticate"): a refused account places nothing and looks nothing up
/// (a 401, like a real venue's), and the connectivity check answers Ok or Refused. The paper venue's check always passes.
/// </summary>
public sealed class SimulatedVenueAuthenticationTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly TimeSpan HangProbe = TimeSpan.FromMilliseconds(50);

    private static readonly BrokerAccount Good = new("acc-good", "VA-1", ApiKey: "good-key", ApiSecret: "good-secret");
    private static readonly BrokerAccount Bad = new("acc-bad", "VA-2", ApiKey: "bad-key", ApiSecret: "bad-secret");
    private static readonly BrokerAccount Keyless = new("acc-none", "VA-3");

    private readonly LatestPrices _prices = new();
    private readonly ManualClock _clock = new(Now);
    private readonly List<BrokerAccount> _asked = [];
    private readonly SimulatedVenue _venue;

    public SimulatedVenueAuthenticationTests()
    {
        _prices.Update("BTCUSDT", 50_000m);
        _venue = new SimulatedVenue("sim", _prices, _clock, authenticate: Authenticate);
    }

    /// <summary>Accepts the good key only; says why otherwise.</summary>
    private string? Authenticate(BrokerAccount account)
    {
        _asked.Add(account);
        return account.ApiKey is null ? "no API key" : account.ApiKey == "good-key" ? null : "invalid API key";
    }

    private static OrderIntent Intent(BrokerAccount account, long seq = 1) =>
        new(ClientOrderIds.Create("tenant-1", account.AccountId, "strategy:s1", seq, 0), account.AccountId, "strategy:s1", seq, "BTCUSDT", OrderSide.Buy, 0.1m, 40_000m);

    private static async Task AssertHangsUntilCancelled<T>(Func<CancellationToken, Task<T>> call)
    {
        using var cts = new CancellationTokenSource();
        var pending = call(cts.Token);

        Assert.NotSame(pending, await Task.WhenAny(pending, Task.Delay(HangProbe)));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    // ---- placement

    [Theory]
    [InlineData("acc-bad", "401 unauthorized: invalid API key")]
    [InlineData("acc-none", "401 unauthorized: no API key")]
    public async Task A_refused_account_s_order_is_not_placed_and_not_booked(string accountId, string reason)
    {
        var account = accountId == Bad.AccountId ? Bad : Keyless;

        var ex = await Assert.ThrowsAsync<OrderNotPlacedException>(() => _venue.PlaceOrderAsync(account, Intent(account), CancellationToken.None));

        Assert.Equal(reason, ex.Message);
        Assert.Equal(0, _venue.OrderCount(account.VenueAccountNumber));
        Assert.Equal(0, _venue.TotalOrders);
        Assert.Same(account, Assert.Single(_asked));
    }

    [Fact]
    public async Task An_accepted_account_s_order_fills_and_is_booked()
    {
        var intent = Intent(Good);

        var result = await _venue.PlaceOrderAsync(Good, intent, CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal(intent.ClientOrderId, result.ClientOrderId);
        Assert.Equal("S-1", result.VenueOrderId);
        Assert.Equal(50_025.00m, result.Fill!.Price);
        Assert.Equal(1, _venue.OrderCount(Good.VenueAccountNumber));
        Assert.Equal(1, _venue.TotalOrders);
        Assert.Same(Good, Assert.Single(_asked));
        Assert.Equal(result, await _venue.FindOrderAsync(Good, OrderLookup.Of(intent), CancellationToken.None));
    }

    [Fact]
    public async Task A_refusal_comes_before_any_fault_the_venue_would_play()
    {
        // Refused at the door: even a fault that takes the order first never gets to take it.
        _venue.SetFault(Bad.VenueAccountNumber, VenueFault.FillThenLoseAnswer);

        var ex = await Assert.ThrowsAsync<OrderNotPlacedException>(() => _venue.PlaceOrderAsync(Bad, Intent(Bad), CancellationToken.None));

        Assert.Equal("401 unauthorized: invalid API key", ex.Message);
        Assert.Equal(0, _venue.OrderCount(Bad.VenueAccountNumber));
    }

    [Fact]
    public async Task A_refused_account_does_not_spoil_another_one()
    {
        await Assert.ThrowsAsync<OrderNotPlacedException>(() => _venue.PlaceOrderAsync(Bad, Intent(Bad), CancellationToken.None));

        var result = await _venue.PlaceOrderAsync(Good, Intent(Good), CancellationToken.None);

        Assert.Equal(BrokerOrderStatus.Filled, result.Status);
        Assert.Equal("S-1", result.VenueOrderId); // the refused call used no venue order number
    }

    [Fact]
    public async Task A_cancelled_placement_throws_before_authenticating()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _venue.PlaceOrderAsync(Bad, Intent(Bad), cts.Token));

        Assert.Empty(_asked);
    }

    [Fact]
    public async Task A_placement_without_account_throws_before_authenticating()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => _venue.PlaceOrderAsync(null!, Intent(Good), CancellationToken.None));

        Assert.Empty(_asked);
    }

    // ---- lookups

    [Fact]
    public async Task A_refused_account_s_lookup_throws_its_401()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _venue.FindOrderAsync(Bad, OrderLookup.Of(Intent(Bad)), CancellationToken.None));

        Assert.Equal("401 unauthorized: invalid API key", ex.Message);
    }

    [Fact]
    public async Task A_refused_account_s_account_read_throws_its_401()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => _venue.GetAccountAsync(Bad, CancellationToken.None));

        Assert.Equal("401 unauthorized: invalid API key", ex.Message);
    }

    [Fact]
    public async Task An_accepted_account_s_lookup_of_an_unknown_order_finds_nothing() =>
        Assert.Null(await _venue.FindOrderAsync(Good, OrderLookup.Of(Intent(Good, 9)), CancellationToken.None));

    // ---- connectivity check

    [Fact]
    public async Task The_check_passes_for_accepted_credentials()
    {
        var check = await _venue.CheckConnectivityAsync(Good, CancellationToken.None);

        Assert.Same(ConnectivityCheck.Ok, check);
        Assert.Equal((true, (string?)null), (check.Passed, check.Reason));
        Assert.Same(Good, Assert.Single(_asked));
    }

    [Theory]
    [InlineData("acc-bad", "401 unauthorized: invalid API key")]
    [InlineData("acc-none", "401 unauthorized: no API key")]
    public async Task The_check_is_refused_with_the_venue_s_401(string accountId, string reason)
    {
        var account = accountId == Bad.AccountId ? Bad : Keyless;

        var check = await _venue.CheckConnectivityAsync(account, CancellationToken.None);

        Assert.Equal(new ConnectivityCheck(false, reason), check);
        Assert.DoesNotContain(account.ApiKey ?? "-", check.Reason);
        Assert.Equal(0, _venue.TotalOrders);
    }

    [Fact]
    public async Task Without_an_authenticate_function_every_account_passes()
    {
        var venue = new SimulatedVenue("sim", _prices, _clock);

        Assert.Same(ConnectivityCheck.Ok, await venue.CheckConnectivityAsync(Keyless, CancellationToken.None));
        Assert.Same(ConnectivityCheck.Ok, await venue.CheckConnectivityAsync(Bad, CancellationToken.None));
        Assert.Equal(BrokerOrderStatus.Filled, (await venue.PlaceOrderAsync(Bad, Intent(Bad), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_cancelled_check_throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _venue.CheckConnectivityAsync(Good, cts.Token));
        Assert.Empty(_asked);
    }

    [Fact]
    public async Task A_check_without_account_throws() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => _venue.CheckConnectivityAsync(null!, CancellationToken.None));

    [Theory]
    [InlineData(VenueFault.Hang)]
    [InlineData(VenueFault.TakeThenGoSilent)]
    public async Task A_venue_that_does_not_answer_holds_the_check_until_cancelled(VenueFault fault)
    {
        _venue.SetFault(Good.VenueAccountNumber, fault);

        await AssertHangsUntilCancelled(ct => _venue.CheckConnectivityAsync(Good, ct));

        Assert.Empty(_asked); // never got as far as the credentials
    }

    [Fact]
    public async Task A_hanging_account_does_not_hold_another_account_s_check()
    {
        _venue.SetFault(Bad.VenueAccountNumber, VenueFault.Hang);

        Assert.Same(ConnectivityCheck.Ok, await _venue.CheckConnectivityAsync(Good, CancellationToken.None));
    }

    [Fact]
    public async Task Once_the_fault_is_cleared_the_check_answers_again()
    {
        _venue.SetFault(Bad.VenueAccountNumber, VenueFault.Hang);
        _venue.ClearFault(Bad.VenueAccountNumber);

        Assert.Equal(ConnectivityCheck.Refused("401 unauthorized: invalid API key"), await _venue.CheckConnectivityAsync(Bad, CancellationToken.None));
    }

    // ---- the paper venue

    [Fact]
    public async Task The_paper_venue_s_check_always_passes()
    {
        var paper = new PaperExchange(new PaperVenueOptions(), _prices, _clock);
        paper.SetFault(Keyless.VenueAccountNumber, VenueFault.Hang);

        Assert.Same(ConnectivityCheck.Ok, await paper.CheckConnectivityAsync(Good, CancellationToken.None));
        Assert.Same(ConnectivityCheck.Ok, await paper.CheckConnectivityAsync(Keyless, CancellationToken.None)); // in-process: no fault holds it
    }

    [Fact]
    public async Task The_paper_venue_s_check_without_account_throws() =>
        await Assert.ThrowsAsync<ArgumentNullException>(() => new PaperExchange(new PaperVenueOptions(), _prices, _clock).CheckConnectivityAsync(null!, CancellationToken.None));

    [Fact]
    public async Task The_paper_venue_s_cancelled_check_throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new PaperExchange(new PaperVenueOptions(), _prices, _clock).CheckConnectivityAsync(Good, cts.Token));
    }

    // ---- the answer and the account

    [Fact]
    public void A_check_s_outcome_is_ok_or_refused_with_its_reason()
    {
        Assert.Equal(new ConnectivityCheck(true, null), ConnectivityCheck.Ok);
        Assert.Same(ConnectivityCheck.Ok, ConnectivityCheck.Ok);
        Assert.Equal(new ConnectivityCheck(false, "down"), ConnectivityCheck.Refused("down"));
    }

    [Fact]
    public void An_account_s_text_never_shows_its_passphrase()
    {
        var account = new BrokerAccount("acc-1", "VA-1", "key-123", "s3cr3t-value", "pass-phrase-9")
        {
            Mode = "live", Token = new VenueToken("tok-secret-1", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)),
        };

        Assert.Equal("BrokerAccount { AccountId = acc-1, VenueAccountNumber = VA-1, Mode = live }", account.ToString());
        Assert.Equal("VenueToken { ExpiresAt = 2026-01-02T03:04:05.0000000+00:00 }", account.Token.ToString());
        Assert.Equal("pass-phrase-9", account.Passphrase);
        Assert.True(account.IsLive);
        Assert.False((account with { Mode = "testnet" }).IsLive);
    }
}
