using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using TradingActors.Domain.Bots;
using TradingActors.Domain.Market;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Bots;

/// <summary>A running bot's decision: its strategy's intents at a bar (or after news of its orders), with its checkpoint after them.</summary>
public sealed record BotDecided(string BotId, ImmutableArray<StrategyIntent> Intents, StrategyState State, ImmutableDictionary<long, BotFed> Fed, decimal Price);

/// <summary>A bar closed (or news was told) and the strategy asked for nothing: its checkpoint, and the price for the risk limits.</summary>
public sealed record BotChecked(string BotId, StrategyState State, ImmutableDictionary<long, BotFed> Fed, decimal Price, bool Told);

/// <summary>The fate of the bot's orders as its tenant's ledger has it (cumulative: telling the same twice tells nothing twice).</summary>
public sealed record BotProgress(IReadOnlyList<BotOrderProgress> Orders);

/// <summary>
/// A running bot (decision 028): a child of its TenantActor that folds its symbol's prices into bars, feeds them and the
/// news of its orders to its strategy (the one ITradingStrategy code path: the same as backtests), and hands every
/// decision to its tenant, which checks it against the bot's budget and risk limits, persists it and places its orders.
/// It persists nothing itself and holds no money: a restart or a move resumes it from the checkpoint its tenant persisted,
/// and its tenant tells it again whatever its orders did since (idempotently).
/// </summary>
public sealed class BotActor : ReceiveActor
{
    private readonly string _botId;
    private readonly string _symbol;
    private readonly ITradingStrategy _strategy;
    private readonly BarBuilder _bars;
    private readonly IntentBuffer _intents = new();
    private ImmutableDictionary<long, BotFed> _fed;
    private decimal _price;
    // News told before the first price (a child just started after a move, a restart or a resume, with fills untold) waits for
    // one: decided at none, its orders would carry 0 as their reference price, which a paper venue with no price of its own
    // rejects ("no price": a node just started may have none), and the risk limits are not checked at 0.
    private List<BotProgress>? _beforeFirstPrice;

    public BotActor(BotRecord record)
    {
        _botId = record.Config.BotId;
        _symbol = record.Config.Symbol;
        _strategy = record.Config.CreateStrategy(record.Strategy);
        _bars = new BarBuilder(TimeSpan.FromSeconds(record.Config.BarSeconds));
        _fed = record.Fed;
        Receive<PriceUpdate>(OnPrice);
        Receive<BotProgress>(progress =>
        {
            if (_price > 0) OnProgress(progress);
            else (_beforeFirstPrice ??= []).Add(progress);
        });
        Receive<SubscribeAck>(_ => { });
    }

    public static Props Props(BotRecord record) => Akka.Actor.Props.Create(() => new BotActor(record));

    public static string NameOf(string botId) => "bot-" + botId;

    protected override void PreStart() =>
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(Names.PriceTopic(_symbol), Self));

    private void OnPrice(PriceUpdate p)
    {
        if (p.Symbol != _symbol || p.Price <= 0) return;
        var closedBar = _bars.Add(p.Time, (double)p.Price, out var bar);
        if (closedBar)
        {
            _intents.Clear();
            _strategy.OnBar(bar, _intents);
            // The bar's close is the price its decisions are made at (the tick that closed it belongs to the next bar).
            Report((decimal)bar.Close, told: false);
        }
        _price = p.Price;
        if (_beforeFirstPrice is { } waiting)
        {
            _beforeFirstPrice = null;
            foreach (var progress in waiting) OnProgress(progress);
        }
    }

    private void OnProgress(BotProgress progress)
    {
        _intents.Clear();
        var told = false;
        foreach (var order in progress.Orders)
        {
            var (news, fed) = BotDecisions.Tell(_fed, order);
            if (news is null) continue;
            _fed = fed;
            told = true;
            if (news.Quantity > 0)
                _strategy.OnFill(new StrategyFill(news.OrderRef, news.Side, (double)news.Quantity, (double)news.Price, (double)news.Fee, news.Ends), _intents);
            else if (news.Ends)
                _strategy.OnOrderEnded(news.OrderRef, _intents);
        }
        if (told) Report(_price, told: true);
    }

    private void Report(decimal price, bool told)
    {
        if (_intents.Count > 0)
            Context.Parent.Tell(new BotDecided(_botId, [.. _intents.AsSpan()], _strategy.Save(), _fed, price));
        else
            Context.Parent.Tell(new BotChecked(_botId, _strategy.Save(), _fed, price, told));
    }
}
