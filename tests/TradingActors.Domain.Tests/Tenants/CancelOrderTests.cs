using TradingActors.Domain.Orders;
using TradingActors.Domain.Tenants;
using static TradingActors.Domain.Tests.Tenants.TenantHistory;

namespace TradingActors.Domain.Tests.Tenants;

/// <summary>TenantDecisions.PlanCancel (what a trader's cancel does) and CancelOutcomeOf (what the venue's answer to it becomes).</summary>
public sealed class CancelOrderTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(1);

    // 10 + 5 + 2 = 17 s after the submission an absent order can no longer land.
    private static readonly ResolutionPolicy Policy = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 5);

    private static readonly OrderIntent Buy = Intent(1, OrderSide.Buy, 0.01m, ExternalAccountId, price: 60_000m);
    private static readonly Fill Part = new(0.004m, 60_000m, 0.24m, "V-9", T0);
    private static readonly Fill All = new(0.01m, 60_000m, 0.6m, "V-9", T0);

    private static TenantState Submitted() => WithAccounts().Then(new OrderSubmitted(Buy, T0));
    private static TenantState Resting() => Submitted().Then(new OrderWorking(Buy, null, "V-9", T0));
    private static TenantState PartlyFilled() => Submitted().Then(new OrderWorking(Buy, Part, "V-9", T0));

    // ---- PlanCancel

    private static readonly Dictionary<string, (TenantState State, string Id, CancelPlan Expected)> Plans = new()
    {
        ["no tenant: unknown order"] = (TenantState.Empty(Tenant), Buy.ClientOrderId, new CancelPlan.Refuse(CancelRefusal.UnknownOrder, "unknown order")),
        ["an id the tenant never had: unknown order"] = (Resting(), "nope", new CancelPlan.Refuse(CancelRefusal.UnknownOrder, "unknown order")),
        ["a filled order: ended, with its status"] = (Submitted().Then(new OrderFilled(Buy, All, T0)), Buy.ClientOrderId,
            new CancelPlan.Refuse(CancelRefusal.Ended, "the order has already ended (filled)")),
        ["a cancelled order: ended, with its status"] = (Resting().Then(new OrderCancelled(Buy, "cancelled", T0)), Buy.ClientOrderId,
            new CancelPlan.Refuse(CancelRefusal.Ended, "the order has already ended (cancelled)")),
        ["a rejected order: ended, with its status"] = (Submitted().Then(new OrderRejected(Buy, "margin", T0)), Buy.ClientOrderId,
            new CancelPlan.Refuse(CancelRefusal.Ended, "the order has already ended (rejected)")),
        ["a resting order: cancelled at the venue"] = (Resting(), Buy.ClientOrderId, new CancelPlan.AtVenue(Resting().Open[Buy.ClientOrderId])),
        ["a submitted order: cancelled at the venue"] = (Submitted(), Buy.ClientOrderId, new CancelPlan.AtVenue(Submitted().Open[Buy.ClientOrderId])),
    };

    public static TheoryData<string> PlanRules => new(Plans.Keys);

    [Theory]
    [MemberData(nameof(PlanRules))]
    public void Plan_cancel(string rule)
    {
        var (state, id, expected) = Plans[rule];
        Assert.Equal(expected, TenantDecisions.PlanCancel(state, id));
    }

    [Fact]
    public void A_manual_order_whose_record_left_the_recent_orders_is_ended_without_a_status()
    {
        var key = "k-old";
        var manual = new OrderIntent(ClientOrderIds.Create(Tenant, PaperAccountId, Sources.Manual(key), 0, 0), PaperAccountId, Sources.Manual(key), 0, Symbol, OrderSide.Buy, 0.001m, 50_000m);
        var state = WithAccounts(paperCash: 1_000_000m).Then(new OrderFilled(manual, new Fill(0.001m, 50_000m, 0m, "P-1", T0), T0));
        for (var i = 0; i < TenantState.RecentOrdersKept; i++)
            state = state.Then(new OrderFilled(Intent(i + 1, account: PaperAccountId), new Fill(0.01m, 50_000m, 0m, "P", T0), T0));

        Assert.Equal(new CancelPlan.Refuse(CancelRefusal.Ended, "the order has already ended"), TenantDecisions.PlanCancel(state, manual.ClientOrderId));
    }

    // ---- CancelOutcomeOf

    private sealed record Case(TenantState State, VenueAnswerKind Kind, Fill? Fill, string? Reason, DateTimeOffset At, ITenantEvent? Expected)
    {
        public string? VenueOrderId { get; init; }
    }

    private static readonly DateTimeOffset BeforeWindow = T0.AddSeconds(17) - TimeSpan.FromTicks(1);
    private static readonly DateTimeOffset AtWindow = T0.AddSeconds(17);

    private static readonly Dictionary<string, Case> Outcomes = new()
    {
        ["cancelled at the venue: cancelled with the venue's reason"] = new(Resting(), VenueAnswerKind.Cancelled, null, "cancelled by the client", Now,
            new OrderCancelled(Buy, "cancelled by the client", Now)),
        ["cancelled after part of it filled: filled with that part"] = new(Resting(), VenueAnswerKind.Filled, Part, null, Now, new OrderFilled(Buy, Part, Now)),
        ["cancelled after a part was booked and nothing more filled: filled with the booked part"] = new(PartlyFilled(), VenueAnswerKind.Cancelled, null, null, Now,
            new OrderFilled(Buy, Part, Now)),
        ["filled before the cancel reached it: filled"] = new(Resting(), VenueAnswerKind.Filled, All, null, Now, new OrderFilled(Buy, All, Now)),
        ["still working with more filled: working with the growth"] = new(PartlyFilled(), VenueAnswerKind.Accepted, All, null, Now,
            new OrderWorking(Buy, All, "V-9", Now)) { VenueOrderId = "V-9" },
        ["still working as booked: nothing new"] = new(PartlyFilled(), VenueAnswerKind.Accepted, Part, null, Now, null) { VenueOrderId = "V-9" },
        ["a submitted order the cancel finds working: working"] = new(Submitted(), VenueAnswerKind.Accepted, null, null, Now,
            new OrderWorking(Buy, null, "V-9", Now)) { VenueOrderId = "V-9" },
        ["the cancel got no answer: nothing"] = new(Resting(), VenueAnswerKind.Unknown, null, "timeout", Now, null),
        ["the cancel was not sent: nothing"] = new(Resting(), VenueAnswerKind.NotPlaced, null, "circuit open", Now, null),
        ["not found while the placement may still land: nothing"] = new(Submitted(), VenueAnswerKind.NotFound, null, null, BeforeWindow, null),
        ["not found once the placement can no longer land: cancelled before it was placed"] = new(Submitted(), VenueAnswerKind.NotFound, null, null, AtWindow,
            new OrderCancelled(Buy, "not at the venue after the visibility window: cancelled before it was placed", AtWindow)),
        ["an unknown order not found long after: cancelled before it was placed"] = new(Submitted().Then(new OrderMarkedUnknown(Buy, "timeout", T0)),
            VenueAnswerKind.NotFound, null, null, T0.AddHours(1), new OrderCancelled(Buy, TenantDecisions.CancelledBeforePlacedReason, T0.AddHours(1))),
        ["a working order the venue does not show: nothing (it was confirmed)"] = new(Resting(), VenueAnswerKind.NotFound, null, null, T0.AddHours(1), null),
        ["not found for an order that is not open: nothing"] = new(WithAccounts(), VenueAnswerKind.NotFound, null, null, T0.AddHours(1), null),
    };

    public static TheoryData<string> OutcomeRules => new(Outcomes.Keys);

    [Theory]
    [MemberData(nameof(OutcomeRules))]
    public void Cancel_outcome_of(string rule)
    {
        var c = Outcomes[rule];
        Assert.Equal(c.Expected, TenantDecisions.CancelOutcomeOf(c.State, Buy, c.Kind, c.Fill, c.Reason, c.VenueOrderId, Policy, c.At));
    }
}
