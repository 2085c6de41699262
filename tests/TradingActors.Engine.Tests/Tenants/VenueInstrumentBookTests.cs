using Microsoft.Extensions.Time.Testing;
using TradingActors.Domain.Market;
using TradingActors.Domain.Tenants;
using TradingActors.Engine.Tenants;

namespace TradingActors.Engine.Tests.Tenants;

/// <summary>The node's book of venue instrument rules (decision 025): what planning gets, when it asks again, and that concurrent asks are one.</summary>
public sealed class VenueInstrumentBookTests
{
    private const string Symbol = "BTCUSDT";
    private static readonly Instrument VenueBtc = new(Symbol, 0.001m, 0.1m, 0.001m, 5m);
    private static readonly LinkedAccount Testnet = new("a1", "bybit", "100", null, Mode: AccountMode.Testnet);
    private static readonly LinkedAccount Live = Testnet with { AccountId = "a2", Mode = AccountMode.Live };
    private static readonly LinkedAccount Paper = new("p1", Venues.Paper, "t/p1", TradingActors.Domain.Paper.PaperAccount.Open(1_000m));

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
    private readonly VenueInstrumentBook _book = new();
    private int _asks;

    private Task Learn(LinkedAccount account, Func<Task<Instrument?>> answer) =>
        _book.LearnAsync(account.Venue, account.EffectiveMode, Symbol, () => { Interlocked.Increment(ref _asks); return answer(); }, _time);

    private InstrumentRule Find(LinkedAccount account) => _book.Find(account, Symbol, _time.GetUtcNow());

    [Fact]
    public async Task Rules_are_unlearnt_until_asked_then_the_venues_for_its_mode_only()
    {
        Assert.IsType<InstrumentRule.Unlearnt>(Find(Testnet));

        await Learn(Testnet, () => Task.FromResult<Instrument?>(VenueBtc));

        Assert.Equal(new InstrumentRule.Known(VenueBtc), Find(Testnet));
        Assert.Equal(new InstrumentRule.Known(VenueBtc), Find(Testnet with { AccountId = "another" }));
        Assert.IsType<InstrumentRule.Unlearnt>(Find(Live));
    }

    [Fact]
    public void The_paper_account_trades_by_the_engines_table_and_is_never_asked()
    {
        Assert.Equal(new InstrumentRule.Known(Instruments.BtcUsdt), Find(Paper));
        Assert.Equal(new InstrumentRule.NotTraded("unknown symbol 'NOPE'"), _book.Find(Paper, "NOPE", _time.GetUtcNow()));
    }

    [Fact]
    public async Task A_symbol_the_venue_does_not_list_is_not_traded_there()
    {
        await Learn(Testnet, () => Task.FromResult<Instrument?>(null));

        Assert.Equal(new InstrumentRule.NotTraded("bybit does not list BTCUSDT"), Find(Testnet));
    }

    [Fact]
    public async Task Learnt_rules_are_kept_six_hours_then_asked_again()
    {
        await Learn(Testnet, () => Task.FromResult<Instrument?>(VenueBtc));

        _time.Advance(VenueInstrumentBook.KeptFor - TimeSpan.FromTicks(1));
        Assert.IsType<InstrumentRule.Known>(Find(Testnet));
        await Learn(Testnet, () => Task.FromResult<Instrument?>(VenueBtc)); // still fresh: not asked
        Assert.Equal(1, _asks);

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.IsType<InstrumentRule.Unlearnt>(Find(Testnet));
        await Learn(Testnet, () => Task.FromResult<Instrument?>(VenueBtc));
        Assert.Equal(2, _asks);
    }

    [Fact]
    public async Task A_venue_that_could_not_be_asked_leaves_the_engines_table_for_a_minute_then_is_asked_again()
    {
        await Learn(Testnet, () => Task.FromException<Instrument?>(new HttpRequestException("refused")));

        Assert.Equal(new InstrumentRule.Known(Instruments.BtcUsdt), Find(Testnet));
        _time.Advance(VenueInstrumentBook.RetryAfter - TimeSpan.FromTicks(1));
        Assert.IsType<InstrumentRule.Known>(Find(Testnet));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.IsType<InstrumentRule.Unlearnt>(Find(Testnet));
    }

    [Fact]
    public async Task Asks_while_one_is_under_way_wait_for_its_answer_instead_of_asking_again()
    {
        var venue = new TaskCompletionSource<Instrument?>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = Learn(Testnet, () => venue.Task);
        var second = Learn(Testnet with { AccountId = "another" }, () => Task.FromResult<Instrument?>(null));
        Assert.False(second.IsCompleted);

        venue.SetResult(VenueBtc);
        await Task.WhenAll(first, second);

        Assert.Equal(1, _asks);
        Assert.Equal(new InstrumentRule.Known(VenueBtc), Find(Testnet));
    }
}
