using Polly;
using Polly.Retry;

namespace TradingActors.Brokers.Http;

/// <summary>
/// Retries of what is safe to repeat, with exponential backoff, jitter and a deadline (Polly):
/// <list type="bullet">
/// <item>any call refused before the venue took it (<see cref="OrderNotPlacedException"/> marked
/// <see cref="VenueRefusal.Transient"/>: rate limit, venue busy, connection refused) — nothing was placed, so
/// sending it again cannot double an order; the venue's Retry-After is honoured;</item>
/// <item>reads (lookups, account, rules) on any failure but cancellation and a refusal that says sending again will
/// not help (credentials or token refused, a bad request) — a read changes nothing.</item>
/// </list>
/// The venue's own "come back in" is waited out as it says, even beyond our longest backoff — unless it is not within the
/// whole call's deadline (an IP ban of minutes): that refusal, with its RetryAfter, goes to the engine at once rather
/// than being asked again during the ban, which can only lengthen it.
/// An unknown outcome of an order call is never retried here: the engine resolves it by lookup (decision 005).
/// The deadline bounds the whole call; the caller's token (the engine's call timeout) ends it sooner.
/// </summary>
public sealed class VenueRetry
{
    private readonly ResiliencePipeline _orders;
    private readonly ResiliencePipeline _reads;

    public VenueRetry(VenueRetryOptions options, TimeProvider time)
    {
        _orders = Build(options, time, e => e is OrderNotPlacedException { Data: var d } && d.Contains(VenueRefusal.Transient));
        _reads = Build(options, time, e => e switch
        {
            OrderNotPlacedException { Data: var d } => d.Contains(VenueRefusal.Transient),
            // An HttpClient timeout is a TaskCanceledException whose token was never cancelled: a read that may pass next time.
            TaskCanceledException { CancellationToken.IsCancellationRequested: false } => true,
            OperationCanceledException => false,
            _ => true,
        });
    }

    public static VenueRetry None { get; } = new(new VenueRetryOptions { MaxAttempts = 1 }, TimeProvider.System);

    /// <summary>An order call (place, cancel): retried only while the venue has provably not taken it.</summary>
    public ValueTask<T> OrderAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken ct) => _orders.ExecuteAsync(call, ct);

    /// <summary>A read (lookup, account, rules, check): retried on any failure but cancellation.</summary>
    public ValueTask<T> ReadAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken ct) => _reads.ExecuteAsync(call, ct);

    private static ResiliencePipeline Build(VenueRetryOptions o, TimeProvider time, Func<Exception, bool> retryable)
    {
        // The timeout first, so it is the outer strategy: the deadline bounds the whole call, retries and waits included
        // (inside the retry it would bound each attempt alone).
        var builder = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(o.Deadline);
        if (o.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = o.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.FirstDelay,
                MaxDelay = o.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && retryable(e) && !NotWithin(e, o.Deadline)),
                // The venue's own "come back in" wins over our backoff (a wait the deadline cannot hold is not retried above).
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is OrderNotPlacedException { RetryAfter: { } after } ? after : (TimeSpan?)null),
            });
        }
        return builder.Build();
    }

    /// <summary>The venue said to come back no sooner than the whole call may last: waiting could only end in the timeout.</summary>
    private static bool NotWithin(Exception e, TimeSpan deadline) => e is OrderNotPlacedException { RetryAfter: { } after } && after >= deadline;
}

public sealed record VenueRetryOptions
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 4;
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>The whole call, retries included.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(8);
}

/// <summary>Marks on a refusal (<see cref="OrderNotPlacedException"/>.Data) that say whether sending again can help.</summary>
public static class VenueRefusal
{
    public const string Transient = "transient";

    /// <summary>The venue refused the account's session token (expired, revoked): the session issues a new one and calls again.</summary>
    public const string TokenRejected = "token-rejected";

    public static OrderNotPlacedException TokenRefused(string reason)
    {
        var e = new OrderNotPlacedException(reason);
        // Stryker disable once Boolean : the mark is read by its presence (Data.Contains), not its value
        e.Data[TokenRejected] = true;
        return e;
    }

    public static bool IsTokenRefusal(Exception e) => e is OrderNotPlacedException { Data: var d } && d.Contains(TokenRejected);

    /// <summary>A refusal that may pass later (rate limit, venue busy, unreachable): safe to retry, nothing was taken.</summary>
    public static OrderNotPlacedException Retryable(string reason, TimeSpan? retryAfter = null, Exception? inner = null)
    {
        var e = new OrderNotPlacedException(reason, inner) { RetryAfter = retryAfter };
        // Stryker disable once Boolean : the mark is read by its presence (Data.Contains), not its value
        e.Data[Transient] = true;
        return e;
    }
}
