using System.Security.Cryptography;
using System.Text;
using TradingActors.Brokers.Bybit;

namespace TradingActors.Brokers.Tests.Venues.Bybit;

/// <summary>
/// Bybit's HMAC signature: lowercase hex HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload), with the
/// query string (GET) or the JSON body (POST) exactly as sent, and the receive window the venue checks.
/// </summary>
public sealed class BybitAuthTests
{
    // Fixed vectors (computed with `openssl dgst -sha256 -hmac secret`, and published in a third-party client's tests):
    // the docs' example timestamp, key "api-key", secret "secret", recvWindow 5000.
    [Theory]
    [InlineData("category=spot&symbol=BTCUSDT", "57bb56b6f64b386cbc4a312af9260fbb98c1bc6c3731eac067b2a55229fb05f9")]
    [InlineData("{\"category\":\"option\"}", "38f5a5ef114062a9367e3da9cd897e2e00ba86dded436045c784b22508dde08a")]
    public void The_signature_matches_the_fixed_vectors(string payload, string expected) =>
        Assert.Equal(expected, BybitAuth.Sign("secret", 1658385579423, "api-key", 5000, payload));

    [Fact]
    public void The_signature_of_the_docs_get_example_matches_openssl() =>
        Assert.Equal("82ab355482a9d871cc256fd37bb8ca26169bdf61517822eca45f9de69465fd3d",
            BybitAuth.Sign("test-secret-abcdefghijklmnop", 1658384314791, "XXXXXXXXXX", 5000, "category=option&symbol=BTC-29JUL22-25000-C"));

    [Theory]
    [InlineData("s3cr3t", 1700000000123L, "KEY", 5000, "category=linear&symbol=BTCUSDT")]
    [InlineData("another-secret", 1L, "k", 10000, "{\"category\":\"linear\",\"symbol\":\"ETHUSDT\",\"qty\":\"0.01\"}")]
    [InlineData("x", 1658385579423L, "api-key", 5000, "")]
    public void The_signature_is_the_documented_formula_computed_independently(string secret, long timestamp, string key, int recvWindow, string payload)
    {
        // The docs' rule, written out here without the connector: timestamp + api_key + recv_window + payload.
        var text = $"{timestamp}{key}{recvWindow}{payload}";
        var expected = string.Concat(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text)).Select(b => b.ToString("x2")));

        Assert.Equal(text, BybitAuth.SignedText(timestamp, key, recvWindow, payload));
        Assert.Equal(expected, BybitAuth.Sign(secret, timestamp, key, recvWindow, payload));
    }

    [Fact]
    public void The_signature_is_lowercase_hex_of_32_bytes()
    {
        var sign = BybitAuth.Sign("secret", 1, "key", 5000, "a=b");

        Assert.Equal(64, sign.Length);
        Assert.All(sign, c => Assert.True(c is >= '0' and <= '9' or >= 'a' and <= 'f'));
    }

    [Fact]
    public void A_request_carries_the_four_headers_with_the_signature_of_its_payload()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api-testnet.bybit.com/v5/order/realtime?category=spot&symbol=BTCUSDT");

        BybitAuth.Authenticate(request, "api-key", "secret", 1658385579423, 5000, "category=spot&symbol=BTCUSDT");

        Assert.Equal("api-key", request.Headers.GetValues("X-BAPI-API-KEY").Single());
        Assert.Equal("1658385579423", request.Headers.GetValues("X-BAPI-TIMESTAMP").Single());
        Assert.Equal("5000", request.Headers.GetValues("X-BAPI-RECV-WINDOW").Single());
        Assert.Equal("57bb56b6f64b386cbc4a312af9260fbb98c1bc6c3731eac067b2a55229fb05f9", request.Headers.GetValues("X-BAPI-SIGN").Single());
        Assert.DoesNotContain(request.Headers, h => h.Value.Any(v => v.Contains("secret", StringComparison.Ordinal)));
    }

    [Fact]
    public void Authenticate_needs_a_request() =>
        Assert.Throws<ArgumentNullException>(() => BybitAuth.Authenticate(null!, "k", "s", 1, 5000, ""));

    [Theory]
    [InlineData(95_000L, true)]   // server - recvWindow: the oldest taken
    [InlineData(94_999L, false)]  // older than the window
    [InlineData(100_000L, true)]
    [InlineData(100_999L, true)]  // less than a second ahead
    [InlineData(101_000L, false)] // server + 1000: refused
    public void The_receive_window_is_server_time_minus_the_window_up_to_a_second_ahead(long timestamp, bool taken) =>
        Assert.Equal(taken, BybitAuth.WithinWindow(timestamp, 100_000L, 5000));

    [Fact]
    public void A_signature_is_verified_only_when_it_is_the_right_one()
    {
        var right = BybitAuth.Sign("secret", 1, "key", 5000, "a=b");

        Assert.True(BybitAuth.Verify("secret", 1, "key", 5000, "a=b", right));
        Assert.False(BybitAuth.Verify("secret", 1, "key", 5000, "a=c", right));
        Assert.False(BybitAuth.Verify("other", 1, "key", 5000, "a=b", right));
        Assert.False(BybitAuth.Verify("secret", 1, "key", 5000, "a=b", right.ToUpperInvariant()));
    }

    [Fact]
    public void A_query_keeps_its_order_escapes_values_and_leaves_out_absent_ones() =>
        Assert.Equal("category=linear&cursor=page_args%3D1%26x&limit=50",
            BybitAuth.Query(("category", "linear"), ("symbol", null), ("cursor", "page_args=1&x"), ("limit", "50")));

    [Fact]
    public void An_empty_query_is_empty() => Assert.Equal("", BybitAuth.Query());
}
