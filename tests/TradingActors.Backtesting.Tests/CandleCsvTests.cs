using System.Text;
using TradingActors.Domain.Market;

namespace TradingActors.Backtesting.Tests;

public class CandleCsvTests
{
    private const string Header = "time,open,high,low,close,volume\n";

    [Fact]
    public void Reads_bars_as_candles()
    {
        var bars = CandleCsv.Parse(Header + "2024-01-01T00:00:00Z,100,101.5,99.25,100.5,12.5\n2024-01-01T00:01:00Z,100.5,100.5,100,100,0\n");

        Assert.Equal(
            [
                new Candle(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), 100, 101.5, 99.25, 100.5, 12.5),
                new Candle(new DateTimeOffset(2024, 1, 1, 0, 1, 0, TimeSpan.Zero), 100.5, 100.5, 100, 100, 0),
            ],
            bars);
    }

    [Fact]
    public void Reads_the_shipped_dataset()
    {
        var bars = Repo.Dataset("BTCUSDT-1m.csv");

        Assert.Equal(1440, bars.Length);
        Assert.Equal(new Candle(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), 60000.00, 60018.19, 59989.58, 60013.25, 6.36417), bars[0]);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 23, 59, 0, TimeSpan.Zero), bars[^1].Time);
    }

    [Fact]
    public void Accepts_crlf_blank_lines_a_bom_spaces_in_the_header_no_final_newline_and_other_iso_shapes()
    {
        var text = "\uFEFFTime, Open, High, Low, Close, Volume\r\n\r\n" +
                   "2024-01-01T00:00Z,1,1,1,1,0\r\n" +
                   "   \r\n" +
                   "2024-01-01T02:00:00+01:00, 2 ,2,2,2,0\r\n" +
                   "2024-01-01T01:30:00.250Z,3,3,3,3,0";

        var bars = CandleCsv.Parse(text);

        Assert.Equal(3, bars.Length);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.Zero), bars[1].Time);
        Assert.Equal(TimeSpan.Zero, bars[1].Time.Offset);
        Assert.Equal(2, bars[1].Open);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 1, 30, 0, 250, TimeSpan.Zero), bars[2].Time);
    }

    [Fact]
    public void Reads_lines_split_across_the_read_buffer_from_a_stream()
    {
        var text = new StringBuilder(Header);
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5000; i++) text.Append($"{start.AddMinutes(i):yyyy-MM-dd'T'HH:mm:ss'Z'},{100 + i % 7}.125,{110 + i % 7}.5,{90 + i % 7}.25,{100 + i % 7}.125,{i}.00001\n");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));

        var bars = CandleCsv.Read(stream);

        Assert.Equal(5000, bars.Length);
        Assert.Equal(new Candle(start.AddMinutes(4321), 100 + 4321 % 7 + 0.125, 110 + 4321 % 7 + 0.5, 90 + 4321 % 7 + 0.25, 100 + 4321 % 7 + 0.125, 4321.00001), bars[4321]);
        Assert.True(text.Length > 65536 * 2);
    }

    [Fact]
    public void Reads_a_line_longer_than_the_buffer()
    {
        var pad = new string(' ', 70_000);
        var bars = CandleCsv.Parse(Header + $"2024-01-01T00:00:00Z,1,2,{pad}0.5,1.5,3\n");

        Assert.Equal(0.5, Assert.Single(bars).Low);
    }

    [Theory]
    [InlineData("", "missing header 'time,open,high,low,close,volume' (no non-blank lines)")]
    [InlineData("\n  \n", "missing header 'time,open,high,low,close,volume' (no non-blank lines)")]
    [InlineData("time,open,high,low,close\n", "line 1: expected header 'time,open,high,low,close,volume' but found 'time,open,high,low,close'")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,1,1\n", "line 2: expected 6 fields but found 5")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,1,1,1,1,1\n", "line 2: expected 6 fields but found 8")]
    [InlineData(Header + "\n2024-13-01T00:00:00Z,1,1,1,1,1\n", "line 3: time '2024-13-01T00:00:00Z' is not an ISO-8601 timestamp")]
    [InlineData(Header + "01/02/2024 00:00,1,1,1,1,1\n", "line 2: time '01/02/2024 00:00' is not an ISO-8601 timestamp")]
    [InlineData(Header + "2024-02-30T00:00:00Z,1,1,1,1,1\n", "line 2: time '2024-02-30T00:00:00Z' is not an ISO-8601 timestamp")]
    [InlineData(Header + "2024-01-01T24:00:00Z,1,1,1,1,1\n", "line 2: time '2024-01-01T24:00:00Z' is not an ISO-8601 timestamp")]
    [InlineData(Header + "2024-01-01T00:00:00Z,x,1,1,1,1\n", "line 2: open 'x' is not a number")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,NaN,1,1,1\n", "line 2: high 'NaN' is not a number")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,Infinity,1,1\n", "line 2: low 'Infinity' is not a number")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,1,,1\n", "line 2: close '' is not a number")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,1,1,1e999\n", "line 2: volume '1e999' is not a number")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,0,1,1\n", "line 2: prices must be > 0 (open 1, high 1, low 0, close 1)")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1.5,1,2,1\n", "line 2: high 1.5 is below max(open, close) 2")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,2,1.5,2,1\n", "line 2: low 1.5 is above min(open, close) 1")]
    [InlineData(Header + "2024-01-01T00:00:00Z,1,1,1,1,-1\n", "line 2: volume -1 is negative")]
    [InlineData(Header + "2024-01-01T00:01:00Z,1,1,1,1,1\n2024-01-01T00:01:00Z,1,1,1,1,1\n", "line 3: time 2024-01-01T00:01:00.0000000+00:00 is not after the previous bar's 2024-01-01T00:01:00.0000000+00:00")]
    [InlineData(Header + "2024-01-01T00:01:00Z,1,1,1,1,1\n2024-01-01T00:00:00Z,1,1,1,1,1\n", "line 3: time 2024-01-01T00:00:00.0000000+00:00 is not after the previous bar's 2024-01-01T00:01:00.0000000+00:00")]
    public void Bad_input_fails_the_whole_read_naming_the_line(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => CandleCsv.Parse(text));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Null_reader_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => CandleCsv.Read((TextReader)null!));
        Assert.Throws<ArgumentNullException>(() => CandleCsv.Read((Stream)null!));
    }

    [Theory]
    [InlineData("2024X01-01T00:00:00Z")]
    [InlineData("2024-01X01T00:00:00Z")]
    [InlineData("2024-01-01 00:00:00Z")]
    [InlineData("2024-01-01T00X00:00Z")]
    [InlineData("2024-01-01T00:00X00Z")]
    [InlineData("2024-01-01T00:00:00X")]
    [InlineData("2024-00-01T00:00:00Z")]
    [InlineData("2024-01-00T00:00:00Z")]
    [InlineData("2024-01-01T00:60:00Z")]
    [InlineData("2024-01-01T00:00:60Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("2024-0a-01T00:00:00Z")]
    [InlineData("2024-1a-01T00:00:00Z")]
    [InlineData("2024-01-01T1a:00:00Z")]
    public void Malformed_timestamps_are_refused(string time)
    {
        var e = Assert.Throws<FormatException>(() => CandleCsv.Parse(Header + time + ",1,1,1,1,1\n"));

        Assert.Equal($"line 2: time '{time}' is not an ISO-8601 timestamp", e.Message);
    }

    [Theory]
    [InlineData("2024-12-31T23:59:59Z", 2024, 12, 31, 23, 59, 59)]
    [InlineData("2024-02-29T00:00:00Z", 2024, 2, 29, 0, 0, 0)]
    [InlineData("0001-01-01T00:00:00Z", 1, 1, 1, 0, 0, 0)]
    public void Timestamps_at_the_edges_of_their_ranges_are_read(string time, int y, int mo, int d, int h, int mi, int s)
    {
        var bar = Assert.Single(CandleCsv.Parse(Header + time + ",1,1,1,1,1\n"));

        Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero), bar.Time);
    }

    [Theory]
    [InlineData("time,open,high,low,close,volume,extra")]
    [InlineData("tame,open,high,low,close,volume")]
    public void Header_of_other_columns_is_refused(string header)
    {
        var e = Assert.Throws<FormatException>(() => CandleCsv.Parse(header + "\n"));

        Assert.Equal($"line 1: expected header 'time,open,high,low,close,volume' but found '{header}'", e.Message);
    }

    [Fact]
    public void A_zero_high_is_reported_as_a_non_positive_price()
    {
        var e = Assert.Throws<FormatException>(() => CandleCsv.Parse(Header + "2024-01-01T00:00:00Z,1,0,1,1,1\n"));

        Assert.Equal("line 2: prices must be > 0 (open 1, high 0, low 1, close 1)", e.Message);
    }

    [Fact]
    public void Reading_a_stream_leaves_it_open()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Header + "2024-01-01T00:00:00Z,1,1,1,1,1\n"));

        CandleCsv.Read(stream);

        Assert.True(stream.CanRead);
        stream.Position = 0;
    }
}
