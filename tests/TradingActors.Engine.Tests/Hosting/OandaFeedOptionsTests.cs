using TradingActors.Domain.Strategies;
using TradingActors.Engine.Hosting;

namespace TradingActors.Engine.Tests.Hosting;

/// <summary>Trading:Feed:Kind=oanda needs an account and its token; a node missing either stops at start, and says so without the token.</summary>
public sealed class OandaFeedOptionsTests
{
    private const string Token = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-00112233445566778899aabbccddeeff";

    private static TradingEngineOptions Options(OandaFeedSettings oanda) => new()
    {
        ConnectionString = "Host=db",
        Strategies = [new StrategyDefinition("rsi-eur", "EUR_USD")],
        Feed = new FeedSettings { Kind = "oanda", Oanda = oanda },
    };

    [Fact]
    public void An_account_with_its_token_is_a_valid_feed_and_streams_the_strategies_symbols_by_default()
    {
        var options = Options(new OandaFeedSettings { AccountNumber = "101-004-1234567-001", Token = Token });

        options.Validate();

        Assert.Equal(["EUR_USD"], options.Feed.Oanda.InstrumentsFor(options.Strategies));
        Assert.Equal("testnet", options.Feed.Oanda.Mode);
    }

    [Fact]
    public void Configured_instruments_replace_the_strategies_symbols()
    {
        var oanda = new OandaFeedSettings { AccountNumber = "101-004-1234567-001", Token = Token, Instruments = " EUR_USD , USD_JPY,EUR_USD" };

        Assert.Equal(["EUR_USD", "USD_JPY"], oanda.InstrumentsFor([new StrategyDefinition("rsi-btc", "BTCUSDT")]));
    }

    [Theory]
    [InlineData("", Token, "Trading:Feed:Oanda:AccountNumber is required when Trading:Feed:Kind is oanda")]
    [InlineData("101-004-1234567-001", "", "Trading:Feed:Oanda:Token is required when Trading:Feed:Kind is oanda")]
    [InlineData("101-004-1234567-001", " ", "Trading:Feed:Oanda:Token is required when Trading:Feed:Kind is oanda")]
    public void A_missing_account_number_or_token_stops_the_node(string account, string token, string expected)
    {
        var error = Assert.Throws<ArgumentException>(Options(new OandaFeedSettings { AccountNumber = account, Token = token }).Validate);

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Errors_never_echo_the_token_even_when_it_was_put_in_the_wrong_setting()
    {
        var options = Options(new OandaFeedSettings { AccountNumber = "", Token = Token, Mode = Token, Instruments = "EUR/USD," + Token });

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Trading:Feed:Oanda:AccountNumber is required", error.Message);
        Assert.Contains("Trading:Feed:Oanda:Mode must be testnet or live", error.Message);
        Assert.Contains("'EUR/USD' is not an OANDA instrument", error.Message);
        Assert.Contains($"an entry of {Token.Length} characters is not an OANDA instrument", error.Message);
        Assert.DoesNotContain(Token, error.Message);
        Assert.DoesNotContain(Token, options.Feed.Oanda.ToString());
    }

    [Fact]
    public void Strategies_on_symbols_oanda_does_not_list_need_instruments_of_their_own()
    {
        var options = Options(new OandaFeedSettings { AccountNumber = "101-004-1234567-001", Token = Token });
        options.Strategies = [new StrategyDefinition("rsi-btc", "BTCUSDT")];

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("'BTCUSDT' is not an OANDA instrument (BASE_QUOTE, e.g. EUR_USD); set Trading:Feed:Oanda:Instruments", error.Message);
    }

    [Fact]
    public void Other_feed_kinds_need_no_oanda_account()
    {
        var options = Options(new OandaFeedSettings());
        options.Feed.Kind = "simulated";

        options.Validate();
    }

    [Fact]
    public void An_unknown_kind_names_oanda_among_the_kinds()
    {
        var options = Options(new OandaFeedSettings());
        options.Feed.Kind = "binance";

        Assert.Contains("Trading:Feed:Kind must be simulated, replay, oanda or none", Assert.Throws<ArgumentException>(options.Validate).Message);
    }
}
