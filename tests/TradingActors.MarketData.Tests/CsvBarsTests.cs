namespace TradingActors.MarketData.Tests;

public class CsvBarsTests
{
    private static IReadOnlyList<Bar> Parse(string csv) => CsvBars.Read(new StringReader(csv), "BTCUSDT");

    [Fact]
    public void Parses_a_small_csv_exactly()
    {
        const string csv = """
            time,open,high,low,close,volume
            2024-01-01T00:00:00Z,60000.00,60010.5,59990,60005.25,1.5

            2024-01-01T00:01:00Z,60005.25,60020,60001,60015,0
            2024-01-01T00:02:30.5+00:00,60015,60015,59000,59000.01,1e2
            """;

        var bars = Parse(csv);

        Assert.Equal(
            [
                new Bar("BTCUSDT", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), 60000.00m, 60010.5m, 59990m, 60005.25m, 1.5m),
                new Bar("BTCUSDT", new DateTimeOffset(2024, 1, 1, 0, 1, 0, TimeSpan.Zero), 60005.25m, 60020m, 60001m, 60015m, 0m),
                new Bar("BTCUSDT", new DateTimeOffset(2024, 1, 1, 0, 2, 30, 500, TimeSpan.Zero), 60015m, 60015m, 59000m, 59000.01m, 100m),
            ],
            bars);
        Assert.All(bars, b => Assert.Equal(TimeSpan.Zero, b.Time.Offset));
    }

    [Fact]
    public void Times_with_an_offset_are_converted_to_utc()
    {
        var bars = Parse("time,open,high,low,close,volume\n2024-01-01T02:00:00+02:00,1,1,1,1,1\n");
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), bars[0].Time);
        Assert.Equal(TimeSpan.Zero, bars[0].Time.Offset);
    }

    [Theory]
    [InlineData("2024-01-01T00:02Z", "2024-01-01T00:02:00+00:00")]
    [InlineData("2024-01-01T00:02", "2024-01-01T00:02:00+00:00")]
    [InlineData("2024-01-01T00:02:03Z", "2024-01-01T00:02:03+00:00")]
    [InlineData("2024-01-01T00:02:03.25+01:00", "2023-12-31T23:02:03.25+00:00")]
    public void Times_are_read_with_or_without_seconds_fraction_and_offset(string time, string utc)
    {
        var bars = Parse($"time,open,high,low,close,volume\n{time},1,1,1,1,1\n");

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), bars[0].Time);
    }

    [Fact]
    public void Header_only_gives_no_bars() => Assert.Empty(Parse("time,open,high,low,close,volume\n"));

    [Theory]
    [InlineData("Time,Open,High,Low,Close,Volume")]
    [InlineData("time, open, high, low, close, volume")]
    [InlineData("\uFEFFtime,open,high,low,close,volume")]
    public void Header_is_read_ignoring_case_spaces_and_a_byte_order_mark(string header)
    {
        var bars = Parse(header + "\n2024-01-01T00:00:00Z,1,2,1,2,3\n");

        Assert.Equal([new Bar("BTCUSDT", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), 1m, 2m, 1m, 2m, 3m)], bars);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void A_missing_symbol_is_rejected(string symbol)
    {
        var e = Assert.Throws<ArgumentException>(() => CsvBars.Read(new StringReader("time,open,high,low,close,volume\n"), symbol));

        Assert.Equal("symbol", e.ParamName);
        Assert.StartsWith("symbol must not be empty", e.Message);
    }

    [Fact]
    public void A_missing_reader_is_rejected() =>
        Assert.Equal("reader", Assert.Throws<ArgumentNullException>(() => CsvBars.Read(null!, "BTCUSDT")).ParamName);

    [Theory]
    [InlineData("", "missing header")]
    [InlineData("date,o,h,l,c,v\n", "line 1: expected header")]
    [InlineData("2024-01-01T00:00:00Z,1,1,1,1,1\n", "line 1: expected header")]
    public void Missing_or_wrong_header_is_rejected(string csv, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Parse(csv));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("2024-01-01T00:02:00Z,1,1,1,1", "line 4: expected 6 fields but found 5")]
    [InlineData("01/02/2024 00:02,1,1,1,1,1", "line 4: time '01/02/2024 00:02'")]
    [InlineData("2024-01-01T00:02:00Z,abc,1,1,1,1", "line 4: open 'abc' is not a number")]
    [InlineData("2024-01-01T00:02:00Z,1,x,1,1,1", "line 4: high 'x' is not a number")]
    [InlineData("2024-01-01T00:02:00Z,1,1,x,1,1", "line 4: low 'x' is not a number")]
    [InlineData("2024-01-01T00:02:00Z,1,1,1,x,1", "line 4: close 'x' is not a number")]
    [InlineData("2024-01-01T00:02:00Z,1,1,1,1,x", "line 4: volume 'x' is not a number")]
    [InlineData("2024-01-01T00:02:00Z,1,1,1,1,1,5", "line 4: expected 6 fields but found 7")]
    [InlineData("2024-01-01T00:02:00Z,100,99,90,95,1", "line 4: high 99 is below max(open, close) 100")]
    [InlineData("2024-01-01T00:02:00Z,100,110,96,95,1", "line 4: low 96 is above min(open, close) 95")]
    [InlineData("2024-01-01T00:02:00Z,0,1,0,1,1", "line 4: prices must be > 0")]
    [InlineData("2024-01-01T00:02:00Z,0,1,1,1,1", "line 4: prices must be > 0 (open 0, high 1, low 1, close 1)")]
    [InlineData("2024-01-01T00:02:00Z,1,0,1,1,1", "line 4: prices must be > 0 (open 1, high 0, low 1, close 1)")]
    [InlineData("2024-01-01T00:02:00Z,1,1,0,1,1", "line 4: prices must be > 0 (open 1, high 1, low 0, close 1)")]
    [InlineData("2024-01-01T00:02:00Z,1,1,1,0,1", "line 4: prices must be > 0 (open 1, high 1, low 1, close 0)")]
    [InlineData("2024-01-01T00:02:00Z,1,1,1,1,-1", "line 4: volume -1 is negative")]
    [InlineData("2024-01-01T00:01:00Z,1,1,1,1,1", "line 4: time 2024-01-01T00:01:00.0000000+00:00 is not after")]
    [InlineData("2024-01-01T00:00:30Z,1,1,1,1,1", "line 4: time")]
    public void Bad_rows_name_the_line_and_the_problem(string badRow, string expected)
    {
        // line 1 header, line 2 ok, line 3 blank (still counted), line 4 the bad row
        var csv = "time,open,high,low,close,volume\n2024-01-01T00:01:00Z,1,1,1,1,1\n\n" + badRow + "\n";
        var e = Assert.Throws<FormatException>(() => Parse(csv));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ReadFile_prefixes_the_path_to_errors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bad-bars-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "time,open,high,low,close,volume\nnope,1,1,1,1,1\n");
        try
        {
            var e = Assert.Throws<FormatException>(() => CsvBars.ReadFile(path, "X"));
            Assert.StartsWith(path + ": line 2:", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Shipped_btcusdt_file_loads_with_1440_increasing_one_minute_bars()
    {
        var bars = CsvBars.ReadFile(TestHelpers.FindBarsFile(), "BTCUSDT");

        Assert.Equal(1440, bars.Count);
        Assert.All(bars, b => Assert.Equal("BTCUSDT", b.Symbol));
        for (var i = 1; i < bars.Count; i++)
            Assert.Equal(TimeSpan.FromMinutes(1), bars[i].Time - bars[i - 1].Time);
        Assert.All(bars, b => Assert.InRange(b.Close, 40_000m, 80_000m));
    }

    [Fact]
    public void Shipped_btcusdt_file_swings_enough_for_rsi_crossings()
    {
        var closes = CsvBars.ReadFile(TestHelpers.FindBarsFile(), "BTCUSDT").Select(b => b.Close).ToList();
        var (below, above) = TestHelpers.RsiCrossings(closes);
        Assert.True(below >= 3, $"crossed below 30 only {below} times");
        Assert.True(above >= 3, $"crossed above 70 only {above} times");
    }
}
