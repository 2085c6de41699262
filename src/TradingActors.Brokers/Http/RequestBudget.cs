namespace TradingActors.Brokers.Http;

/// <summary>
/// A venue's request budget shared beyond one connector call — every request sent from this cluster's egress IP
/// counts against the venue's per-IP limit. <see cref="AcquireAsync"/> returns when one request may be sent; waiters
/// are served in the order they came (no tenant starves). The engine's implementation is cluster-wide.
/// </summary>
public interface IRequestBudget
{
    /// <summary>Waits for permission to send one request, until the grant's <see cref="RequestGrant.SendBy"/>. Cancelled: nothing was sent.</summary>
    ValueTask<RequestGrant> AcquireAsync(CancellationToken ct);
}

/// <summary>
/// Permission to send one request until <see cref="SendBy"/>. The budget counts a grant for the venue's window plus
/// the time it may take to be sent; a request sent later could reach the venue inside a window already granted in
/// full, so an expired grant is dropped, never used (decision 023).
/// </summary>
public sealed class RequestGrant(DateTimeOffset sendBy, TimeProvider time)
{
    public DateTimeOffset SendBy => sendBy;

    public bool Expired => time.GetUtcNow() > sendBy;
}

/// <summary>
/// Sends each request of a venue's HttpClient only once its <see cref="IRequestBudget"/> allows — unless the call was
/// admitted already (<see cref="RequestBudgetAdmission"/>): its first request then uses that admission. A grant that
/// expired before its request got here (a loaded machine, a call held up before its first request) is not used: the
/// request waits for a fresh one.
/// </summary>
public sealed class RequestBudgetHandler(IRequestBudget budget) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var grant = RequestBudgetAdmission.TryUse() ?? await budget.AcquireAsync(ct);
        while (grant.Expired) grant = await budget.AcquireAsync(ct);
        return await base.SendAsync(request, ct);
    }
}

/// <summary>
/// One request admitted before a venue call starts, so the wait for the shared budget is not counted against the
/// call's own timeout (waiting behind 2,000 other tenants is not the venue being slow). Flows with the call
/// (AsyncLocal) into the connector's HTTP pipeline, where its first request uses it.
/// </summary>
public static class RequestBudgetAdmission
{
    private sealed class Box(RequestGrant grant)
    {
        public readonly RequestGrant Grant = grant;
        public int Left = 1;
    }

    private static readonly AsyncLocal<Box?> Current = new();

    /// <summary>
    /// Holds one request, acquired by the caller, for the call that follows in this async flow. Synchronous on
    /// purpose: an AsyncLocal set inside an async method would not reach its caller.
    /// </summary>
    public static void Hold(RequestGrant grant) => Current.Value = new Box(grant);

    /// <summary>Drops an admission the call did not use (it sent nothing).</summary>
    public static void Clear() => Current.Value = null;

    internal static RequestGrant? TryUse()
    {
        var box = Current.Value;
        return box is not null && Interlocked.Decrement(ref box.Left) >= 0 ? box.Grant : null;
    }
}
