using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using TradingActors.Brokers.Http;

namespace TradingActors.Brokers.Tests;

/// <summary>
/// What the connectors' retry repeats (decision 022): a refusal the venue marked transient, and reads, with the venue's
/// own "come back in" honoured — never an order whose outcome is unknown, never a refusal that cannot pass, never a
/// venue that asked to be left alone for longer than the call may last.
/// </summary>
public sealed class VenueRetryTests
{
    private static readonly VenueRetryOptions Quick = new() { MaxAttempts = 4, FirstDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(300), Deadline = TimeSpan.FromSeconds(10) };
    private readonly VenueRetry _retry = new(Quick, TimeProvider.System);
    private int _attempts;

    private ValueTask<int> Failing(Exception e)
    {
        _attempts++;
        return ValueTask.FromException<int>(e);
    }

    private static OrderNotPlacedException Refused(string reason = "invalid api key") => new(reason);

    public static TheoryData<string, Exception, int> OrderCases => new()
    {
        { "a transient refusal: every attempt", VenueRefusal.Retryable("429"), 4 },
        { "a refusal that cannot pass (credentials)", Refused(), 1 },
        { "a refused token: the session renews it, not the retry", VenueRefusal.TokenRefused("token expired"), 1 },
        { "an unknown outcome: resolved by lookup, never sent again", new VenueOutcomeUnknownException("connection reset after sending"), 1 },
        { "a transport error after sending", new HttpRequestException("reset"), 1 },
        { "a venue ban longer than the call's deadline: handed to the engine", VenueRefusal.Retryable("403 banned", TimeSpan.FromSeconds(11)), 1 },
    };

    [Theory]
    [MemberData(nameof(OrderCases))]
    public async Task An_order_call_is_retried_only_while_the_venue_has_provably_not_taken_it(string why, Exception failure, int attempts)
    {
        var thrown = await Assert.ThrowsAnyAsync<Exception>(async () => await _retry.OrderAsync(_ => Failing(failure), CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.True(attempts == _attempts, $"{why}: {_attempts} attempts");
    }

    public static TheoryData<string, Exception, int> ReadCases => new()
    {
        { "a transient refusal", VenueRefusal.Retryable("429"), 4 },
        { "a transport error", new HttpRequestException("reset"), 4 },
        { "an HttpClient timeout (its token never cancelled)", new TaskCanceledException("timeout"), 4 },
        { "a refusal that cannot pass (credentials)", Refused(), 1 },
        { "a refused token", VenueRefusal.TokenRefused("token expired"), 1 },
        { "a venue ban longer than the call's deadline", VenueRefusal.Retryable("403 banned", TimeSpan.FromSeconds(11)), 1 },
    };

    [Theory]
    [MemberData(nameof(ReadCases))]
    public async Task A_read_is_retried_on_what_may_pass_next_time(string why, Exception failure, int attempts)
    {
        var thrown = await Assert.ThrowsAnyAsync<Exception>(async () => await _retry.ReadAsync(_ => Failing(failure), CancellationToken.None));

        Assert.Same(failure, thrown);
        Assert.True(attempts == _attempts, $"{why}: {_attempts} attempts");
    }

    [Fact]
    public async Task A_read_cancelled_by_its_caller_is_not_retried()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await _retry.ReadAsync(_ => Failing(new OperationCanceledException(cts.Token)), CancellationToken.None));

        Assert.Equal(1, _attempts);
    }

    [Theory]
    [InlineData(250)] // within our longest backoff (300 ms)
    [InlineData(700)] // beyond it, within the deadline: the venue knows when its window resets
    public async Task The_venues_come_back_in_is_waited_out_as_it_says(int afterMs)
    {
        var clock = Stopwatch.StartNew();

        var answer = await _retry.OrderAsync(_ => ++_attempts == 1 ? ValueTask.FromException<int>(VenueRefusal.Retryable("10006", TimeSpan.FromMilliseconds(afterMs))) : ValueTask.FromResult(42),
            CancellationToken.None);

        Assert.Equal(42, answer);
        Assert.Equal(2, _attempts);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(afterMs - 10), $"retried after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_venue_ban_keeps_its_come_back_in_for_the_engine()
    {
        var ban = VenueRefusal.Retryable("403 access too frequent", TimeSpan.FromMinutes(10));

        var thrown = await Assert.ThrowsAsync<OrderNotPlacedException>(async () => await _retry.OrderAsync(_ => Failing(ban), CancellationToken.None));

        Assert.Equal(TimeSpan.FromMinutes(10), thrown.RetryAfter);
    }

    [Fact]
    public async Task One_attempt_only_when_told_so()
    {
        await Assert.ThrowsAsync<OrderNotPlacedException>(async () => await VenueRetry.None.OrderAsync(_ => Failing(VenueRefusal.Retryable("429")), CancellationToken.None));

        Assert.Equal(1, _attempts);
    }

    /// <summary>Fake time that notes every wait asked of it: the retry's waits are read off it, not off a stopwatch.</summary>
    private sealed class WaitRecordingTime : TimeProvider
    {
        private readonly List<TimeSpan> _waits = [];

        public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));

        public IReadOnlyList<TimeSpan> Waits
        {
            get { lock (_waits) return [.. _waits]; }
        }

        public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();
        public override long GetTimestamp() => Fake.GetTimestamp();
        public override long TimestampFrequency => Fake.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_waits) _waits.Add(dueTime);
            return Fake.CreateTimer(callback, state, dueTime, period);
        }
    }

    private static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_retry_waits_on_the_clock_it_is_given()
    {
        // A minute's come-back-in passes on the given clock at once; on the system clock it would take a minute.
        var time = new WaitRecordingTime();
        var retry = new VenueRetry(Quick with { Deadline = TimeSpan.FromHours(1) }, time);

        var call = retry.OrderAsync(_ => ++_attempts == 1 ? ValueTask.FromException<int>(VenueRefusal.Retryable("429", TimeSpan.FromMinutes(1))) : ValueTask.FromResult(42),
            CancellationToken.None).AsTask();

        Assert.Contains(TimeSpan.FromMinutes(1), time.Waits);
        Assert.False(call.IsCompleted);
        time.Fake.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(42, await call.WaitAsync(RealTimeLimit));
        Assert.Equal(2, _attempts);
    }

    [Fact]
    public async Task A_come_back_in_the_deadline_cannot_hold_is_handed_back_at_once()
    {
        var time = new WaitRecordingTime();
        var retry = new VenueRetry(Quick with { Deadline = TimeSpan.FromMinutes(1) }, time);

        var call = retry.OrderAsync(_ => ++_attempts == 1 ? ValueTask.FromException<int>(VenueRefusal.Retryable("10006", TimeSpan.FromMinutes(1))) : ValueTask.FromResult(42),
            CancellationToken.None).AsTask();

        var refused = await Assert.ThrowsAsync<OrderNotPlacedException>(() => call.WaitAsync(RealTimeLimit));
        Assert.Equal(TimeSpan.FromMinutes(1), refused.RetryAfter);
        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task A_come_back_in_just_inside_the_deadline_is_waited_out()
    {
        var time = new WaitRecordingTime();
        var retry = new VenueRetry(Quick with { Deadline = TimeSpan.FromMinutes(1) }, time);
        var after = TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1);

        var call = retry.OrderAsync(_ => ++_attempts == 1 ? ValueTask.FromException<int>(VenueRefusal.Retryable("10006", after)) : ValueTask.FromResult(42),
            CancellationToken.None).AsTask();

        Assert.False(call.IsCompleted, "handed back at once instead of waited out");
        time.Fake.Advance(after);
        Assert.Equal(42, await call.WaitAsync(RealTimeLimit));
        Assert.Equal(2, _attempts);
    }

    [Fact]
    public async Task The_deadline_bounds_the_whole_call_not_each_attempt()
    {
        // Each wait alone (10 s) fits the 25 s deadline; three attempts and two waits do not.
        var time = new WaitRecordingTime();
        var retry = new VenueRetry(new VenueRetryOptions { MaxAttempts = 100, FirstDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(25) }, time);

        var call = retry.OrderAsync(_ => { _attempts++; return ValueTask.FromException<int>(VenueRefusal.Retryable("busy", TimeSpan.FromSeconds(10))); }, CancellationToken.None).AsTask();
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(50);
            time.Fake.Advance(TimeSpan.FromSeconds(10));
        }

        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(() => call.WaitAsync(RealTimeLimit));
        Assert.Equal(3, _attempts);
    }

    [Fact]
    public async Task Orders_refused_together_do_not_come_back_together()
    {
        // Jitter: tenants throttled by the same rate limit spread their retries instead of hitting the venue at one instant.
        var time = new WaitRecordingTime();
        var options = new VenueRetryOptions { MaxAttempts = 2, FirstDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30), Deadline = TimeSpan.FromHours(1) };
        var retry = new VenueRetry(options, time);
        var attempts = new int[2];
        var calls = Enumerable.Range(0, 2).Select(i => retry.OrderAsync(
            _ => ++attempts[i] == 1 ? ValueTask.FromException<int>(VenueRefusal.Retryable("429")) : ValueTask.FromResult(i),
            CancellationToken.None).AsTask()).ToArray();

        time.Fake.Advance(options.MaxDelay);
        var answers = await Task.WhenAll(calls).WaitAsync(RealTimeLimit);
        Assert.Equal([0, 1], answers);

        var backoffs = time.Waits.Where(w => w > TimeSpan.Zero && w < options.Deadline).ToArray();
        Assert.Equal(2, backoffs.Length);
        Assert.NotEqual(backoffs[0], backoffs[1]);
        Assert.All(backoffs, w => Assert.InRange(w, TimeSpan.FromTicks(1), options.MaxDelay));
    }
}
