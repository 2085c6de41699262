using Akka.Actor;
using Akka.Pattern;
using TradingActors.Brokers;
using TradingActors.Brokers.Http;
using TradingActors.Credentials;
using TradingActors.Domain.Market;
using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Observability;

namespace TradingActors.Engine.Tenants;

/// <summary>
/// One per linked external account, child of its tenant: the only place the account's credentials
/// are used. (The embedded paper venue has no credentials and answers in-process: the tenant calls
/// it directly through <see cref="VenueCall"/>, with the same timeout and failure mapping.) Every
/// venue call runs with a timeout and behind a circuit breaker, and every outcome, failures
/// included, is reported to the tenant as a <see cref="VenueAnswer"/> — never thrown.
/// Sessions run on their venue's own dispatcher (dedicated threads, <see cref="VenueDispatchers"/>):
/// a connector that blocks its threads stalls only its own venue's calls, never the actors.
/// Stops itself when idle; the tenant creates it again on the next call.
/// </summary>
public sealed class BrokerSession : ReceiveActor
{
    /// <param name="AdmissionTimeout">How long a call may wait for its venue's request budget (decision 023) before it is given up, not placed.</param>
    public sealed record Settings(TimeSpan CallTimeout, int BreakerMaxFailures, TimeSpan BreakerReset, TimeSpan IdleStop, TimeSpan? AdmissionTimeout = null)
    {
        public TimeSpan EffectiveAdmissionTimeout => AdmissionTimeout ?? TimeSpan.FromMinutes(2);
    }

    public const string CircuitOpenReason = "circuit open after repeated venue failures";

    /// <summary>The account's sealed credentials and what opens them: the tenant's wrapped data key and the node's master keys.</summary>
    public sealed record SealedAccess(string TenantId, string WrappedDataKey, string SealedCredentials, KeyRingSource? Keys,
        string? SealedVenueToken = null, DateTimeOffset? VenueTokenExpiresAt = null)
    {
        public override string ToString() => $"SealedAccess {{ TenantId = {TenantId} }}";
    }

    private readonly IBrokerClient _client;
    /// <summary>The cluster-wide request budget every call of this venue waits for (decision 023); null when the venue has none.</summary>
    private readonly IRequestBudget? _budget;
    private readonly BrokerAccount _account;
    private readonly Settings _settings;
    private readonly TimeProvider _time;
    /// <summary>Why this account cannot call its venue at all (its credentials do not open); null when it can.</summary>
    private readonly string? _unusable;
    private int _consecutiveFailures;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;
    /// <summary>Opened once with the credentials; seals the venue tokens this session is issued. Null: nothing to seal with.</summary>
    private readonly DataKey? _dataKey;
    private readonly string? _tenantId;
    /// <summary>The account's venue session token (token venues only), reused until shortly before it expires.</summary>
    private VenueToken? _token;

    public BrokerSession(IBrokerClient client, BrokerAccount account, Settings settings, TimeProvider time, SealedAccess? sealedAccess = null, IRequestBudget? budget = null)
    {
        _client = client;
        _budget = budget;
        (_account, _unusable, _dataKey, _token) = sealedAccess is null ? (account, null, null, null) : Open(account, sealedAccess);
        _tenantId = sealedAccess?.TenantId;
        _settings = settings;
        _time = time;
        // One call at a time per account: the mailbox waits while a call is awaited (its thread is free meanwhile).
        ReceiveAsync<PlaceOrderAtVenue>(m => CallAsync(m.Intent, VenueCallKind.Place, null));
        ReceiveAsync<FindOrderAtVenue>(m => CallAsync(m.Intent, VenueCallKind.Find, m.Lookup));
        ReceiveAsync<CancelOrderAtVenue>(m => CallAsync(m.Intent, VenueCallKind.Cancel, m.Lookup));
        ReceiveAsync<CheckVenueConnectivity>(_ => CheckAsync());
        ReceiveAsync<LearnInstrumentAtVenue>(LearnAsync);
        Receive<ReceiveTimeout>(_ => Context.Stop(Self));
        SetReceiveTimeout(settings.IdleStop);
    }

    public static Props Props(IBrokerClient client, BrokerAccount account, Settings settings, TimeProvider time, SealedAccess? sealedAccess = null, IRequestBudget? budget = null) =>
        Akka.Actor.Props.Create(() => new BrokerSession(client, account, settings, time, sealedAccess, budget)).WithDispatcher(VenueDispatchers.IdOf(client.Venue));

    /// <summary>
    /// What a tenant creates: the session under a backoff supervisor. A session that crashes is
    /// restarted with backoff and never takes the tenant down with it (its failure stays below the tenant).
    /// </summary>
    public static Props Supervised(IBrokerClient client, BrokerAccount account, Settings settings, TimeProvider time, SealedAccess? sealedAccess = null, IRequestBudget? budget = null) =>
        BackoffSupervisor.Props(
            Backoff.OnFailure(Props(client, account, settings, time, sealedAccess, budget), "session", TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)
                .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)));

    /// <summary>
    /// The only place credentials are opened (decision 008): in memory, once per session start. A wrap or seal that
    /// does not open (a master key removed before its rewrap, altered bytes) makes the session refuse every call with
    /// the reason; the exception's message names ids only, never key material.
    /// </summary>
    private static (BrokerAccount, string?, DataKey?, VenueToken?) Open(BrokerAccount account, SealedAccess access)
    {
        if (access.Keys is null) return (account, "this node has no master keys configured, so the account's credentials cannot be opened", null, null);
        DataKey dataKey;
        try
        {
            var ring = access.Keys.Current;
            dataKey = WrappedDataKey.Parse(access.WrappedDataKey).Unwrap(access.TenantId, ring);
            var c = SealedCredentials.Parse(access.SealedCredentials).OpenBrokerCredentials(dataKey, access.TenantId, account.AccountId);
            account = account with { VenueAccountNumber = c.AccountNumber, ApiKey = c.ApiKey, ApiSecret = c.Secret, Passphrase = c.Passphrase };
        }
        catch (CredentialProtectionException e)
        {
            return (account, "the account's credentials cannot be opened: " + e.Message, null, null);
        }
        VenueToken? token = null;
        if (access is { SealedVenueToken: { } sealedToken, VenueTokenExpiresAt: { } expiresAt })
        {
            // A token that does not open is only a token to issue again, not an unusable account.
            try { token = new VenueToken(SealedVenueToken.Open(sealedToken, dataKey, access.TenantId, account.AccountId), expiresAt); }
            catch (CredentialProtectionException) { }
        }
        return (account, null, dataKey, token);
    }

    /// <summary>
    /// The account as the connector gets it: with a usable venue token at a token venue, issued here when there is none
    /// (one call at a time per account, so one issuance however many orders wait) and reported to the tenant, sealed,
    /// to keep. Null and the reason when no token could be had.
    /// </summary>
    private async Task<(BrokerAccount? Account, string? Failure)> WithTokenAsync(bool renew)
    {
        if (_client.Tokens is not { } tokens) return (_account, null);
        if (!renew && _token is { } kept && kept.IsUsableAt(_time.GetUtcNow())) return (_account with { Token = kept }, null);
        using var cts = new CancellationTokenSource(_settings.CallTimeout);
        try
        {
            var token = await tokens.IssueTokenAsync(_account, cts.Token);
            _token = token;
            EngineInstruments.VenueTokensIssued.Add(1, new KeyValuePair<string, object?>("venue", _client.Venue));
            if (_dataKey is not null && _tenantId is not null)
                Context.Parent.Tell(new VenueTokenIssued(_account.AccountId, SealedVenueToken.Seal(token.Value, _dataKey, _tenantId, _account.AccountId), token.ExpiresAt));
            return (_account with { Token = token }, null);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return (null, $"no token from {_client.Venue} within {_settings.CallTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception e)
        {
            return (null, $"{_client.Venue} issued no token: {e.Message}");
        }
    }

    /// <summary>
    /// Learns the venue's rules for a symbol into the node's book (decision 025) — asked once per node however many
    /// accounts want them — and tells the tenant, which plans again with them. Failures are the book's to remember.
    /// </summary>
    private async Task LearnAsync(LearnInstrumentAtVenue m)
    {
        var replyTo = Sender;
        await m.Book.LearnAsync(_client.Venue, m.Mode, m.Symbol, () => AskInstrumentAsync(m.Symbol), _time);
        replyTo.Tell(new InstrumentLearnt(_account.AccountId, m.Symbol));
    }

    private async Task<Instrument?> AskInstrumentAsync(string symbol)
    {
        if (_unusable is not null) throw new InvalidOperationException(_unusable);
        var (account, failure) = await WithTokenAsync(renew: false);
        if (account is null) throw new InvalidOperationException(failure);
        // The request waits for the venue's budget in its HTTP pipeline: that wait counts here, not against the venue.
        using var cts = new CancellationTokenSource(_settings.CallTimeout + (_budget is null ? TimeSpan.Zero : _settings.EffectiveAdmissionTimeout));
        // WaitAsync: a connector that ignores its token must not hold the node's one ask for these rules for ever.
        return await _client.GetInstrumentAsync(account, symbol, cts.Token).WaitAsync(cts.Token);
    }

    private async Task CheckAsync()
    {
        var replyTo = Sender;
        if (_unusable is not null)
        {
            replyTo.Tell(new ConnectivityAnswer(false, _unusable));
            return;
        }
        var (account, failure) = await WithTokenAsync(renew: false);
        if (account is null)
        {
            replyTo.Tell(new ConnectivityAnswer(false, failure));
            return;
        }
        using var cts = new CancellationTokenSource(_settings.CallTimeout);
        try
        {
            var check = await _client.CheckConnectivityAsync(account, cts.Token);
            replyTo.Tell(new ConnectivityAnswer(check.Passed, check.Passed ? null : check.Reason ?? "refused"));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            replyTo.Tell(new ConnectivityAnswer(false, $"no answer from {_client.Venue} within {_settings.CallTimeout.TotalSeconds:0.###} s"));
        }
        catch (Exception e)
        {
            replyTo.Tell(new ConnectivityAnswer(false, $"{_client.Venue} did not answer the check: {e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>
    /// Every order call, placement, lookup or cancel, under the same rules: refused unsent while the credentials do not
    /// open or the breaker is open, admitted by the venue's request budget, then run with the call timeout.
    /// </summary>
    private async Task CallAsync(OrderIntent intent, VenueCallKind kind, OrderLookup? lookup)
    {
        var replyTo = Sender;
        // A lookup or cancel that could not be made learnt nothing about the order (unknown); a placement placed nothing.
        var isLookup = kind != VenueCallKind.Place;
        if (_unusable is not null)
        {
            // Never called: definitely not placed (a lookup learnt nothing and is retried with backoff).
            VenueError("unusable_credentials");
            replyTo.Tell(isLookup ? VenueAnswer.Unknown(intent, _unusable) : VenueAnswer.NotPlaced(intent, _unusable));
            return;
        }
        if (_time.GetUtcNow() < _openUntil)
        {
            // An open breaker means we did not call: definitely not placed (a lookup simply learnt nothing).
            VenueError("circuit_open");
            replyTo.Tell(VenueAnswer.NotPlaced(intent, CircuitOpenReason));
            return;
        }
        if (_budget is not null)
        {
            // Admitted before the call's own timeout starts: waiting behind other tenants is not the venue being slow.
            using var admission = new CancellationTokenSource(_settings.EffectiveAdmissionTimeout);
            RequestGrant grant;
            try
            {
                grant = await _budget.AcquireAsync(admission.Token);
            }
            catch (OperationCanceledException)
            {
                var reason = $"waited {_settings.EffectiveAdmissionTimeout.TotalSeconds:0} s for {_client.Venue}'s request budget; nothing was sent";
                replyTo.Tell(isLookup ? VenueAnswer.Unknown(intent, reason) : VenueAnswer.NotPlaced(intent, reason));
                return;
            }
            replyTo.Tell(new VenueCallAdmitted(intent.ClientOrderId));
            RequestBudgetAdmission.Hold(grant);
        }
        VenueAnswer answer;
        try
        {
            answer = await CallWithTokenAsync(intent, kind, lookup);
        }
        finally
        {
            RequestBudgetAdmission.Clear();
        }
        if (answer.Kind is VenueAnswerKind.Unknown or VenueAnswerKind.NotPlaced)
        {
            VenueError(answer.Kind == VenueAnswerKind.Unknown ? "unknown" : "not_placed");
            if (++_consecutiveFailures >= _settings.BreakerMaxFailures)
            {
                _openUntil = _time.GetUtcNow() + _settings.BreakerReset;
                _consecutiveFailures = 0; // after the reset period one trial call decides again
            }
        }
        else
        {
            _consecutiveFailures = 0;
        }
        replyTo.Tell(answer);
    }

    /// <summary>The call with the account's token where the venue uses one; a token the venue refused is renewed once and the call made again (it was not placed).</summary>
    private async Task<VenueAnswer> CallWithTokenAsync(OrderIntent intent, VenueCallKind kind, OrderLookup? lookup)
    {
        var isLookup = kind != VenueCallKind.Place;
        var (account, failure) = await WithTokenAsync(renew: false);
        if (account is null) return isLookup ? VenueAnswer.Unknown(intent, failure!) : VenueAnswer.NotPlaced(intent, failure!);
        var answer = await VenueCall.RunAsync(_client, account, intent, kind, lookup, _settings.CallTimeout);
        if (!answer.TokenRefused || _client.Tokens is null) return answer;
        (account, failure) = await WithTokenAsync(renew: true);
        if (account is null) return isLookup ? VenueAnswer.Unknown(intent, failure!) : VenueAnswer.NotPlaced(intent, failure!);
        return await VenueCall.RunAsync(_client, account, intent, kind, lookup, _settings.CallTimeout);
    }

    private void VenueError(string kind) => EngineInstruments.VenueErrors.Add(1,
        new KeyValuePair<string, object?>("venue", _client.Venue), new KeyValuePair<string, object?>("class", kind));
}

/// <summary>Local messages between a tenant and its broker session (never leave the node).</summary>
public sealed record PlaceOrderAtVenue(OrderIntent Intent);

/// <summary>Looks the order up; Lookup is what the tenant's ledger knows of it (<see cref="Domain.Tenants.VenueLookup"/>).</summary>
public sealed record FindOrderAtVenue(OrderIntent Intent, OrderLookup Lookup);

/// <summary>Asks the venue to cancel the open order; answered with its state afterwards, like a lookup.</summary>
public sealed record CancelOrderAtVenue(OrderIntent Intent, OrderLookup Lookup);
public sealed record CheckVenueConnectivity;

/// <summary>Asks the venue for its rules for the symbol (for the account's mode) into the node's book; answered with <see cref="InstrumentLearnt"/>.</summary>
public sealed record LearnInstrumentAtVenue(string Symbol, AccountMode Mode, VenueInstrumentBook Book);

/// <summary>The node's book now says what the venue's rules for the symbol are (or that they could not be had).</summary>
public sealed record InstrumentLearnt(string AccountId, string Symbol);
public sealed record ConnectivityAnswer(bool Passed, string? Reason);

/// <summary>The call for this order got its turn in the venue's request budget and starts now (its timeout starts now).</summary>
public sealed record VenueCallAdmitted(string ClientOrderId);

/// <summary>The session was issued a venue token for the account: the tenant keeps it (sealed) so its next session reuses it.</summary>
public sealed record VenueTokenIssued(string AccountId, string SealedToken, DateTimeOffset ExpiresAt);

/// <summary>Which order call: a placement, a lookup, or a cancel (answered with the order's state afterwards, like a lookup).</summary>
public enum VenueCallKind
{
    Place = 1,
    Find = 2,
    Cancel = 3,
}

/// <summary>A venue's answer in the ledger's vocabulary; VenueOrderId is the venue's own id of the order when it said one.</summary>
public sealed record VenueAnswer(OrderIntent Intent, VenueAnswerKind Kind, Fill? Fill, string? Reason)
{
    /// <summary>Not placed because the venue refused the account's session token: the session renews it and calls again.</summary>
    public bool TokenRefused { get; init; }

    public string? VenueOrderId { get; init; }

    /// <summary>
    /// An order that ended with part filled (a cancelled or expired remainder) is filled for that part; one that ended
    /// with nothing filled is cancelled. An open order is accepted, with its cumulative fill when partly filled.
    /// </summary>
    public static VenueAnswer Of(OrderIntent intent, BrokerOrderResult r) => (r.Status switch
    {
        BrokerOrderStatus.Filled or BrokerOrderStatus.Cancelled when r.Fill is { Quantity: > 0 } => new VenueAnswer(intent, VenueAnswerKind.Filled, r.Fill, null),
        BrokerOrderStatus.Rejected => new VenueAnswer(intent, VenueAnswerKind.Rejected, null, r.RejectReason ?? "rejected"),
        BrokerOrderStatus.Cancelled => new VenueAnswer(intent, VenueAnswerKind.Cancelled, null, r.RejectReason ?? "cancelled at the venue"),
        BrokerOrderStatus.PartiallyFilled when r.Fill is { Quantity: > 0 } => new VenueAnswer(intent, VenueAnswerKind.Accepted, r.Fill, null),
        // Open with nothing filled (or a "filled" report without its fill: followed until the venue says what filled).
        _ => new VenueAnswer(intent, VenueAnswerKind.Accepted, null, null),
    }) with { VenueOrderId = r.VenueOrderId ?? r.Fill?.VenueOrderId };

    public static VenueAnswer NotFound(OrderIntent i) => new(i, VenueAnswerKind.NotFound, null, null);
    public static VenueAnswer NotPlaced(OrderIntent i, string reason) => new(i, VenueAnswerKind.NotPlaced, null, reason);
    public static VenueAnswer Unknown(OrderIntent i, string reason) => new(i, VenueAnswerKind.Unknown, null, reason);
    public static VenueAnswer Duplicate(OrderIntent i) => new(i, VenueAnswerKind.Duplicate, null, "the venue already holds this client order id");
}
