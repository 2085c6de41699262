using System.Net;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Tests;

/// <summary>The HTTP side of the shared request budget: every request waits for it, except the one a call was admitted with.</summary>
public sealed class RequestBudgetHandlerTests
{
    private sealed class CountingBudget : IRequestBudget
    {
        public int Acquired;
        public TaskCompletionSource? Gate;
        /// <summary>Grants handed out expired, before the fresh ones (a request that came too late to use them).</summary>
        public int ExpiredFirst;

        public static readonly ManualClock Clock = new(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));

        public static RequestGrant Fresh => new(Clock.GetUtcNow() + TimeSpan.FromSeconds(1), Clock);
        public static RequestGrant Stale => new(Clock.GetUtcNow() - TimeSpan.FromMilliseconds(1), Clock);

        public async ValueTask<RequestGrant> AcquireAsync(CancellationToken ct)
        {
            if (Gate is { } gate) await gate.Task.WaitAsync(ct);
            Interlocked.Increment(ref Acquired);
            return Interlocked.Decrement(ref ExpiredFirst) >= 0 ? Stale : Fresh;
        }
    }

    private sealed class Answer : HttpMessageHandler
    {
        public int Sent;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Interlocked.Increment(ref Sent);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }

    private static (HttpClient, CountingBudget, Answer) Client()
    {
        var budget = new CountingBudget();
        var answer = new Answer();
        return (new HttpClient(new RequestBudgetHandler(budget) { InnerHandler = answer }), budget, answer);
    }

    [Fact]
    public async Task Every_request_waits_for_the_budget()
    {
        var (http, budget, answer) = Client();

        await http.GetAsync("http://127.0.0.1/a");
        await http.GetAsync("http://127.0.0.1/b");

        Assert.Equal((2, 2), (budget.Acquired, answer.Sent));
    }

    [Fact]
    public async Task A_request_is_not_sent_until_the_budget_allows_and_a_cancelled_wait_sends_nothing()
    {
        var (http, budget, answer) = Client();
        budget.Gate = new TaskCompletionSource();
        using var cts = new CancellationTokenSource();

        var waiting = http.GetAsync("http://127.0.0.1/a", cts.Token);
        await Task.Delay(50);
        Assert.Equal(0, answer.Sent);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, answer.Sent);
    }

    [Fact]
    public async Task An_admitted_call_sends_its_first_request_on_the_admission_and_waits_for_the_rest()
    {
        var (http, budget, answer) = Client();

        await AdmittedCallAsync(http);

        Assert.Equal((2, 3), (budget.Acquired, answer.Sent)); // 3 requests, the first on the admission
        await http.GetAsync("http://127.0.0.1/after"); // outside that call: no admission left
        Assert.Equal((3, 4), (budget.Acquired, answer.Sent));
    }

    [Fact]
    public async Task A_grant_that_expired_before_its_request_got_to_the_handler_is_not_used_the_request_waits_for_a_fresh_one()
    {
        var (http, budget, answer) = Client();
        budget.ExpiredFirst = 2;

        await http.GetAsync("http://127.0.0.1/a");

        Assert.Equal((3, 1), (budget.Acquired, answer.Sent));
    }

    [Fact]
    public async Task An_admission_that_expired_before_the_calls_first_request_is_not_used()
    {
        var (http, budget, answer) = Client();

        RequestBudgetAdmission.Hold(CountingBudget.Stale);
        await http.GetAsync("http://127.0.0.1/1");
        RequestBudgetAdmission.Clear();

        Assert.Equal((1, 1), (budget.Acquired, answer.Sent));
    }

    [Fact]
    public async Task An_admission_cleared_unused_is_not_used_later()
    {
        var (http, budget, _) = Client();
        RequestBudgetAdmission.Hold(CountingBudget.Fresh);
        RequestBudgetAdmission.Clear();

        await http.GetAsync("http://127.0.0.1/a");

        Assert.Equal(1, budget.Acquired);
    }

    private static async Task AdmittedCallAsync(HttpClient http)
    {
        RequestBudgetAdmission.Hold(CountingBudget.Fresh);
        await http.GetAsync("http://127.0.0.1/1");
        await http.GetAsync("http://127.0.0.1/2");
        await http.GetAsync("http://127.0.0.1/3");
        RequestBudgetAdmission.Clear();
    }

    [Fact]
    public void A_grant_is_usable_up_to_its_send_by_instant_and_expired_a_tick_after()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
        var grant = new RequestGrant(time.GetUtcNow().AddSeconds(1), time);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(grant.Expired);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(grant.Expired);
    }
}
