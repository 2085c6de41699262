using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using TradingActors.Domain.Strategies;

namespace TradingActors.Engine.Strategies;

/// <summary>Signals From..To of a strategy (at most a page), from the strategy's journal. Node-local: tenants ask their own node.</summary>
public sealed record FetchSignals(string StrategyId, long From, long To) : ITradingMessage;

/// <summary>Contiguous signals from the requested From (fewer or none when the journal has no more); LatestSequence is the highest known.</summary>
public sealed record SignalsFetched(string StrategyId, ImmutableArray<Signal> Signals, long LatestSequence) : ITradingMessage;

/// <summary>The highest sequence a strategy has persisted, read from its journal (a bucket asks when it starts).</summary>
public sealed record GetLatestSequence(string StrategyId) : ITradingMessage;
public sealed record LatestSequence(string StrategyId, long Sequence) : ITradingMessage;

/// <summary>
/// One per node: the strategies' persisted signals, for tenants that catch up and buckets that start.
/// The strategy's journal is the source of truth (a strategy persists only its signals, so journal
/// sequence number = signal sequence): misses are replayed from it through the journal plugin, so a
/// tenant can catch up on however many signals it missed. Live signals seen on the strategies'
/// topics and replayed pages are cached (bounded) so that many tenants filling the same gap cost
/// one replay; concurrent requests for one strategy share a replay.
/// </summary>
public sealed class SignalHistory : ReceiveActor
{
    public const int PageSize = 100;
    private const int ReplayLimit = 1_000;

    private readonly int _cacheSize;
    private readonly IActorRef _journal;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Strategy> _strategies = new(StringComparer.Ordinal);

    private sealed class Strategy
    {
        public readonly SortedList<long, Signal> Cache = [];
        public readonly List<(IActorRef ReplyTo, FetchSignals Request)> Waiting = [];
        public readonly List<IActorRef> LatestWaiting = [];
        public long Latest;
        public bool Replaying;
        public bool ReadingLatest;
    }

    private sealed record ReplayDone(string StrategyId, ImmutableArray<Signal> Signals, long Highest, bool LatestOnly, string? Error);

    public SignalHistory(int cacheSize = 2_000)
    {
        _cacheSize = cacheSize;
        _journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(null);
        _mediator = DistributedPubSub.Get(Context.System).Mediator;

        Receive<SignalPublished>(p => Remember(Of(p.Signal.StrategyId), [p.Signal], p.Signal.Sequence));
        Receive<FetchSignals>(OnFetch);
        Receive<GetLatestSequence>(OnGetLatest);
        Receive<ReplayDone>(OnReplayDone);
        Receive<SubscribeAck>(_ => { });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new SignalHistory(2_000));

    /// <summary>A strategy's entry; the first ask about a strategy subscribes to its live signals (strategies come and go at run time).</summary>
    private Strategy Of(string strategyId)
    {
        if (!_strategies.TryGetValue(strategyId, out var strategy))
        {
            _strategies[strategyId] = strategy = new Strategy();
            _mediator.Tell(new Subscribe(Names.SignalTopic(strategyId), Self));
        }
        return strategy;
    }

    private void OnFetch(FetchSignals request)
    {
        var strategy = Of(request.StrategyId);
        if (TryAnswer(strategy, request, Sender, complete: false)) return;
        strategy.Waiting.Add((Sender, request));
        StartReplay(request.StrategyId, strategy);
    }

    private void OnGetLatest(GetLatestSequence request)
    {
        var strategy = Of(request.StrategyId);
        strategy.LatestWaiting.Add(Sender);
        if (strategy.ReadingLatest) return;
        strategy.ReadingLatest = true;
        Replay(request.StrategyId, from: 1, to: long.MaxValue, max: 0, latestOnly: true);
    }

    /// <summary>Answers from the cache when it holds the whole page (or, once a replay ran, whatever prefix exists).</summary>
    private static bool TryAnswer(Strategy strategy, FetchSignals request, IActorRef replyTo, bool complete)
    {
        var to = Math.Min(request.To, request.From + PageSize - 1);
        var signals = ImmutableArray.CreateBuilder<Signal>();
        for (var sequence = request.From; sequence <= to && strategy.Cache.TryGetValue(sequence, out var signal); sequence++)
            signals.Add(signal);
        if (!complete && request.From <= to && signals.Count < to - request.From + 1) return false;
        replyTo.Tell(new SignalsFetched(request.StrategyId, signals.ToImmutable(), strategy.Latest));
        return true;
    }

    private void StartReplay(string strategyId, Strategy strategy)
    {
        if (strategy.Replaying || strategy.Waiting.Count == 0) return;
        strategy.Replaying = true;
        var from = strategy.Waiting.Min(w => w.Request.From);
        var to = Math.Min(strategy.Waiting.Max(w => w.Request.To), from + ReplayLimit - 1);
        Replay(strategyId, from, to, max: to - from + 1, latestOnly: false);
    }

    private void Replay(string strategyId, long from, long to, long max, bool latestOnly)
    {
        var self = Self;
        Context.ActorOf(Akka.Actor.Props.Create(() => new JournalReplay(_journal, Names.StrategyPersistenceId(strategyId), from, to, max,
            (signals, highest, error) => self.Tell(new ReplayDone(strategyId, signals, highest, latestOnly, error)))));
    }

    private void OnReplayDone(ReplayDone done)
    {
        var strategy = Of(done.StrategyId);
        if (done.Error is not null) _log.Warning("signal history {0}: journal replay failed: {1}", done.StrategyId, done.Error);
        Remember(strategy, done.Signals, done.Highest);
        if (done.LatestOnly)
        {
            strategy.ReadingLatest = false;
            // A failed read answers nothing: the asking bucket retries.
            if (done.Error is null) foreach (var replyTo in strategy.LatestWaiting) replyTo.Tell(new LatestSequence(done.StrategyId, strategy.Latest));
            strategy.LatestWaiting.Clear();
            return;
        }
        strategy.Replaying = false;
        var waiting = strategy.Waiting.ToList();
        strategy.Waiting.Clear();
        foreach (var (replyTo, request) in waiting)
        {
            // Answered with what exists when this replay covered its start (or failed); else it waits for the next one.
            var covered = done.Error is not null || done.Signals.Length == 0 || request.From <= done.Signals[^1].Sequence || request.From > strategy.Latest;
            if (!TryAnswer(strategy, request, replyTo, complete: covered)) strategy.Waiting.Add((replyTo, request));
        }
        StartReplay(done.StrategyId, strategy);
    }

    private void Remember(Strategy strategy, IEnumerable<Signal> signals, long highest)
    {
        if (highest > strategy.Latest) strategy.Latest = highest;
        foreach (var signal in signals)
        {
            if (signal.Sequence > strategy.Latest) strategy.Latest = signal.Sequence;
            strategy.Cache[signal.Sequence] = signal;
        }
        while (strategy.Cache.Count > _cacheSize) strategy.Cache.RemoveAt(0);
    }

    /// <summary>
    /// Replays one range of a strategy's journal through the journal plugin (batched with recoveries
    /// by BatchedJournal) and reports the signals and the highest sequence. Stops itself.
    /// </summary>
    private sealed class JournalReplay : ReceiveActor
    {
        public JournalReplay(IActorRef journal, string persistenceId, long from, long to, long max, Action<ImmutableArray<Signal>, long, string?> report)
        {
            var signals = ImmutableArray.CreateBuilder<Signal>();
            string? error = null;
            Receive<ReplayedMessage>(m =>
            {
                if (m.Persistent.Payload is not SignalEmitted { Signal: var signal }) return;
                // The contract that makes the journal the signal log: a strategy persists only its signals.
                if (signal.Sequence != m.Persistent.SequenceNr)
                    error ??= $"{persistenceId}: journal sequence {m.Persistent.SequenceNr} holds signal #{signal.Sequence}";
                else signals.Add(signal);
            });
            Receive<RecoverySuccess>(s =>
            {
                report(signals.ToImmutable(), s.HighestSequenceNr, error);
                Context.Stop(Self);
            });
            Receive<ReplayMessagesFailure>(f =>
            {
                report(signals.ToImmutable(), 0, f.Cause.Message);
                Context.Stop(Self);
            });
            Receive<ReceiveTimeout>(_ =>
            {
                report(signals.ToImmutable(), 0, "no answer from the journal within 10 s");
                Context.Stop(Self);
            });
            SetReceiveTimeout(TimeSpan.FromSeconds(10));
            journal.Tell(new ReplayMessages(from, to, max, persistenceId, Self));
        }
    }
}
