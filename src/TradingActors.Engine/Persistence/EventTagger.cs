using System.Collections.Immutable;
using Akka.Persistence.Journal;
using TradingActors.Domain.Tenants;

namespace TradingActors.Engine.Persistence;

/// <summary>Tags tenant events from the start so read models can be projected by tag later.</summary>
public sealed class EventTagger : IWriteEventAdapter
{
    public const string Orders = "orders";
    public const string Executions = "executions";
    public const string Subscriptions = "subscriptions";
    public const string Accounts = "accounts";

    private static readonly ImmutableHashSet<string> OrderTags = [Orders];
    private static readonly ImmutableHashSet<string> ExecutionTags = [Orders, Executions];
    private static readonly ImmutableHashSet<string> SkipTags = [Executions];
    private static readonly ImmutableHashSet<string> SubscriptionTags = [Subscriptions];
    private static readonly ImmutableHashSet<string> AccountTags = [Accounts];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt switch
    {
        OrderSubmitted or OrderNeedsAttention => new Tagged(evt, OrderTags),
        OrderFilled or OrderRejected or OrderFailed or OrderMarkedUnknown => new Tagged(evt, ExecutionTags),
        SignalsSkipped => new Tagged(evt, SkipTags),
        Subscribed or Unsubscribed or SubscriptionPaused or SubscriptionResumed => new Tagged(evt, SubscriptionTags),
        TenantCreated or PaperAccountLinked or BrokerAccountLinked => new Tagged(evt, AccountTags),
        _ => evt,
    };
}
